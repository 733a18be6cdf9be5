from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calendar_sync.crypto import EncryptedTextField
from firms.models import FirmOwned, Membership


class FeedToken(FirmOwned):
    """A private, revocable ICS subscription URL for a person's calendar or a case's."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)  # SHA-256 of the secret in the URL
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"feed of {self.membership_id}"


class CalDAVConnection(FirmOwned):
    """A person's own CalDAV calendar that Caseroom pushes their events to."""

    class Status(models.TextChoices):
        OK = "ok", _("Working")
        ERROR = "error", _("Failing")
        DISCONNECTED = "disconnected", _("Disconnected")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    calendar_url = models.URLField(_("calendar URL"), max_length=500)
    username = models.CharField(_("user name"), max_length=200)
    # The app password, encrypted at rest (calendar_sync/crypto.py): Python sees it plain.
    password = EncryptedTextField(_("password"), blank=True)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OK)
    last_error = models.TextField(blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("firm", "membership", name="caldav_one_per_member")]

    def __str__(self):
        return self.calendar_url


class CalDAVEventState(FirmOwned):
    """What the remote calendar holds of one event: pushed SEQUENCE, href, etag, sync status."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to sync")
        SYNCED = "synced", _("Synced")
        FAILED = "failed", _("Failed")
        DELETED = "deleted", _("Deleted remotely")

    connection = models.ForeignKey(CalDAVConnection, on_delete=models.CASCADE, related_name="states")
    event = models.ForeignKey("calendar_sync.Event", on_delete=models.CASCADE, related_name="+")
    pushed_sequence = models.IntegerField(default=-1)
    href = models.CharField(max_length=500, blank=True)
    etag = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("firm", "connection", "event", name="caldav_state_unique")]

    def __str__(self):
        return f"{self.event_id} on {self.connection_id}"
