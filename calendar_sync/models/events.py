"""Calendar events: hearings, deadlines, limitation dates, meetings, internal events, leave."""

from datetime import timedelta

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firms.models import FirmOwned, Membership, User

# An event longer than this is found by the calendar's range query through event_long_idx
# (selectors/events.py), shorter ones by their start; the index's condition uses it.
LONG_EVENT = timedelta(days=1)


class Event(FirmOwned):
    class Kind(models.TextChoices):
        HEARING = "hearing", _("Court hearing")
        FILING_DEADLINE = "filing_deadline", _("Filing deadline")
        LIMITATION = "limitation", _("Limitation date")
        CLIENT_MEETING = "client_meeting", _("Client meeting")
        INTERNAL = "internal", _("Internal")
        LEAVE = "leave", _("Leave")

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        TENTATIVE = "tentative", _("Tentative")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="events", verbose_name=_("case"))
    owner = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="owned_events",
                              verbose_name=_("owner"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    # Times are stored in UTC and shown in Asia/Hong_Kong. An all-day event keeps its
    # dates (end exclusive, as in RFC 5545) and its start/end at HK midnight.
    all_day = models.BooleanField(_("all day"), default=False)
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    court = models.CharField(_("court"), max_length=100, blank=True)
    courtroom = models.CharField(_("courtroom"), max_length=50, blank=True)
    location = models.CharField(_("location"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    rrule = models.CharField(_("repeats (RFC 5545 RRULE)"), max_length=500, blank=True)
    # Occurrences of the rule left out (RFC 5545 EXDATE): their starts, as the rule makes them
    # (an all-day event's at HK midnight). A database default too, for rows inserted in bulk.
    exdates = ArrayField(models.DateTimeField(), default=list, db_default=[], blank=True,
                         verbose_name=_("dates left out of the repeats"))
    # Deadlines: how the date was computed, and any override (RHC O.3 r.5).
    rule = models.ForeignKey("calendar_sync.DeadlineRule", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="events")
    trigger_date = models.DateField(_("trigger date"), null=True, blank=True)
    computed_date = models.DateField(_("computed date"), null=True, blank=True)
    computation = models.JSONField(_("computation steps"), default=list, blank=True)
    override_reason = models.TextField(_("why the date was changed"), blank=True)
    is_done = models.BooleanField(_("done"), default=False)
    # Reminders for this event alone, in minutes before (0: 08:00 HKT on the day, as the firm's
    # ReminderSetting); NULL: the firm's. Checked by the event services (reminder_offsets_clean).
    reminder_offsets_minutes = ArrayField(models.PositiveIntegerField(), null=True, blank=True, default=None,
                                          verbose_name=_("reminders"))
    # Conflicts shown before saving and accepted by the person: recorded with the event.
    accepted_conflicts = models.JSONField(default=list, blank=True)
    # RFC 5545: a stable UID and a SEQUENCE that grows with every change.
    uid = models.CharField(max_length=120, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    source = models.CharField(_("came from"), max_length=40, blank=True)  # "ics-import", "clio", …
    source_uid = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("event")
        constraints = [
            models.UniqueConstraint("firm", "uid", name="event_uid_unique_in_firm"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="event_ends_after_start"),
            # An ICS file's event (UID, + RECURRENCE-ID) comes into one person's calendar once,
            # even with two imports at once (calendar_sync.ics_import).
            models.UniqueConstraint(fields=["firm", "owner", "source_uid"], condition=models.Q(source="ics-import"),
                                    name="event_imported_once_per_calendar"),
        ]
        indexes = [
            models.Index(fields=["firm", "start"], name="event_firm_start_idx"),
            models.Index(fields=["firm", "case", "start"], name="event_case_start_idx"),
            models.Index(fields=["firm", "owner", "start"], name="event_owner_start_idx"),
            models.Index(fields=["firm", "source", "source_uid"], name="event_source_idx"),
            # The reminder scan's branch for events with their own offsets (few of them).
            models.Index(fields=["firm", "start"], name="event_own_reminders_idx",
                         condition=models.Q(reminder_offsets_minutes__isnull=False)),
            # The calendar's range query (selectors/events.py _touching): events longer than a
            # day that began before the range, and repeating ones; without these, every event
            # begun before the range is read.
            models.Index(fields=["firm", "start"], name="event_long_idx", condition=models.Q(GreaterThan(
                models.ExpressionWrapper(models.F("end") - models.F("start"), output_field=models.DurationField()),
                LONG_EVENT))),
            models.Index(fields=["firm", "start"], name="event_repeating_idx", condition=~models.Q(rrule="")),
        ]

    def __str__(self):
        return self.title

    @property
    def effective_date(self):
        """The day the event falls on, in Hong Kong."""
        return timezone.localtime(self.start).date()


class EventAttendee(FirmOwned):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendees")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="event_links")
    external_person = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True,
                                        related_name="+")
    is_counsel = models.BooleanField(_("appears as counsel"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint("firm", "event", "membership", name="attendee_member_unique_in_firm"),
            models.CheckConstraint(
                condition=models.Q(membership__isnull=False) | models.Q(external_person__isnull=False),
                name="attendee_is_someone"),
        ]
        indexes = [models.Index(fields=["firm", "membership", "event"], name="attendee_member_idx")]

    def __str__(self):
        return f"{self.membership or self.external_person} at {self.event_id}"
