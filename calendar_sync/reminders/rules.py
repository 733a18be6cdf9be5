"""When a reminder is due and who gets it: the one statement of the rules, in Python.

The scan (``scan.py``) states the same rules in SQL so that it runs set-based; the send
re-checks a delivery against these functions just before it goes out, so an event
that was cancelled, done or moved since the scan sends nothing.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from calendar_sync.models import Event, ReminderDelivery
from calendar_sync.models.reminders import default_offsets  # noqa: F401 - the firm default, re-exported

HONG_KONG = timezone.get_default_timezone()  # settings.TIME_ZONE = Asia/Hong_Kong
MORNING = time(8, 0)  # offset 0: "the morning of", 08:00 HKT that day
ESCALATION_OFFSET = -1  # the delivery to the supervising partner after a missed deadline
CANCELLED = Event.Status.CANCELLED.value

# An event's own reminders (Event.reminder_offsets_minutes): at most this many, at most a
# year ahead. The scan looks that far ahead for events that have their own.
MAX_OWN_OFFSETS = 5
MAX_OFFSET_MINUTES = 365 * 24 * 60

REMINDED_KINDS = (Event.Kind.HEARING, Event.Kind.FILING_DEADLINE, Event.Kind.LIMITATION)
DEADLINE_KINDS = (Event.Kind.FILING_DEADLINE, Event.Kind.LIMITATION)

# Delivery states. ReminderDelivery.Status has PENDING, SENT and FAILED; the two below
# fit its column (max_length 10) and are asked of the model's owner as choices
# (docs/calendar.md, "Model changes asked for").
PENDING = ReminderDelivery.Status.PENDING.value
SENDING = "sending"  # in-app part done and committed; the e-mail is owed
SENT = ReminderDelivery.Status.SENT.value
FAILED = ReminderDelivery.Status.FAILED.value  # the e-mail gave up after MAX_EMAIL_ATTEMPTS
SKIPPED = "skipped"  # no longer wanted when its turn came (cancelled, done, moved, left)


def setting(name: str, default):
    """Tunables with safe defaults; config/settings.py may override them from the environment."""
    return getattr(settings, name, default)


def scan_lookback() -> timedelta:
    """How late a reminder may still go out (a beat that was down, an event made late)."""
    return timedelta(minutes=setting("REMINDER_SCAN_LOOKBACK_MINUTES", 6 * 60))


def escalation_lookback() -> timedelta:
    return timedelta(days=setting("REMINDER_ESCALATION_LOOKBACK_DAYS", 7))


def morning_of(moment: datetime) -> datetime:
    """08:00 in Hong Kong on the day ``moment`` falls on there."""
    return datetime.combine(timezone.localtime(moment, HONG_KONG).date(), MORNING, tzinfo=HONG_KONG)


def end_of_day(moment: datetime) -> datetime:
    """Midnight in Hong Kong after the day ``moment`` falls on: when a deadline is missed."""
    day = timezone.localtime(moment, HONG_KONG).date() + timedelta(days=1)
    return datetime.combine(day, time.min, tzinfo=HONG_KONG)


def due_at(event: Event, offset_minutes: int) -> datetime:
    """When the reminder ``offset_minutes`` before ``event`` is due.

    An all-day event (a deadline) and the "morning of" reminder count from 08:00 HKT on
    the day, so "7 days before" a deadline arrives at 08:00, not at midnight. An
    escalation is due when the deadline's day ends.
    """
    if offset_minutes == ESCALATION_OFFSET:
        return end_of_day(event.start)
    if event.all_day or offset_minutes == 0:
        return morning_of(event.start) - timedelta(minutes=offset_minutes)
    return event.start - timedelta(minutes=offset_minutes)


def offsets_for(event: Event, firm_offsets: list[int]) -> list[int]:
    """The offsets that apply to ``event``: its own if it has them, else the firm's."""
    own = event.reminder_offsets_minutes
    return list(own) if own is not None else list(firm_offsets)


def too_late_at(event: Event) -> datetime:
    """After this a reminder is pointless: a hearing has begun, a deadline's day is over."""
    return event.end if event.all_day else event.start
