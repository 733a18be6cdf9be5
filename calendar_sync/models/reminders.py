from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firms.models import FirmOwned, Membership


def default_offsets() -> list[int]:
    """Minutes before: 7 days, 1 day; "morning of" is the special value 0 (08:00 HKT that day)."""
    return [7 * 24 * 60, 24 * 60, 0]


class ReminderSetting(FirmOwned):
    """The firm's default reminder offsets (an event may carry its own)."""

    offsets_minutes = ArrayField(models.PositiveIntegerField(), default=default_offsets)

    class Meta:
        constraints = [models.UniqueConstraint("firm", name="reminder_setting_one_per_firm")]

    def __str__(self):
        return f"reminders {self.offsets_minutes}"


class ReminderDelivery(FirmOwned):
    """One reminder to one person about one event at one offset: its unique key is what makes
    a repeated scan, two beats or a killed worker produce no second message."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending the e-mail")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("No longer wanted")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey("calendar_sync.Event", on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    offset_minutes = models.IntegerField()  # negative: escalation after a missed deadline
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("firm", "event", "recipient", "offset_minutes",
                                               name="reminder_once_per_event_person_offset")]
        indexes = [
            models.Index(fields=["status", "due_at"], name="reminder_due_idx"),
            # The sweep reads only unfinished rows; sent ones pile up over the years.
            models.Index(fields=["firm", "due_at"], name="reminder_unfinished_idx",
                         condition=models.Q(status__in=["pending", "sending"])),
        ]

    def __str__(self):
        return f"reminder {self.event_id}/{self.recipient_id}/{self.offset_minutes}"


class NotificationPreference(FirmOwned):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30)
    in_app = models.BooleanField(_("in the app"), default=True)
    by_email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint("firm", "membership", "kind", name="preference_unique_in_firm")]

    def __str__(self):
        return f"{self.membership_id} {self.kind}"
