"""Caseroom's events in RFC 5545, built with the ``icalendar`` package: one VEVENT per event,
inside a subscription feed (METHOD:PUBLISH) or a CalDAV object resource (no METHOD, which
RFC 4791 forbids there).

A VEVENT is a pure function of the event's version (SEQUENCE, LAST-MODIFIED), its case's
reference, the reminders still to come and the language, so it can be cached
(calendar_sync.feeds.rendering). That is why DTSTAMP is the event's last change rather
than the time of the request.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Timezone, vRecur
from icalendar import Event as VEvent

from calendar_sync.models import Event
from calendar_sync.selectors.events import TIME_FREE_KINDS

log = logging.getLogger(__name__)

PRODID = "-//Caseroom//Caseroom Calendar//EN"
HONG_KONG = ZoneInfo("Asia/Hong_Kong")
MORNING_OF = time(8, 0)  # ReminderSetting's offset 0, and the hour all-day reminders ring
REFRESH_INTERVAL = timedelta(hours=1)  # a hint to subscribers; Google ignores it
# Reminders are for what must not be missed (SPEC §2.4), not for every meeting.
REMINDED_KINDS = frozenset({Event.Kind.HEARING, Event.Kind.FILING_DEADLINE, Event.Kind.LIMITATION})
_END = b"END:VCALENDAR\r\n"
_STATUS = {
    Event.Status.CONFIRMED: "CONFIRMED",
    Event.Status.TENTATIVE: "TENTATIVE",
    Event.Status.CANCELLED: "CANCELLED",
}


def reminder_triggers(event: Event, offsets: Sequence[int], now: datetime) -> list[timedelta]:
    """VALARM triggers (relative to DTSTART) for the event's own offsets, else the firm's
    ``offsets``, that are still to come."""
    if event.reminder_offsets_minutes is not None:
        offsets = event.reminder_offsets_minutes
    return triggers_for(kind=event.kind, status=event.status, is_done=event.is_done, all_day=event.all_day,
                        start=event.start, offsets=offsets, now=now)


def triggers_for(*, kind: str, status: str, is_done: bool, all_day: bool, start: datetime,
                 offsets: Sequence[int], now: datetime) -> list[timedelta]:
    """Offsets are minutes before; 0 means "the morning of" (08:00 HKT that day). An all-day
    event's reminders ring at 08:00 on their day rather than at midnight."""
    if status == Event.Status.CANCELLED or is_done or kind not in REMINDED_KINDS:
        return []
    start = timezone.localtime(start, HONG_KONG)
    morning = datetime.combine(start.date(), MORNING_OF, tzinfo=HONG_KONG)
    triggers: list[timedelta] = []
    for minutes in sorted(set(offsets), reverse=True):
        if all_day:
            trigger = morning - timedelta(minutes=minutes) - start
        elif minutes == 0:
            trigger = min(morning - start, timedelta(0))
        else:
            trigger = -timedelta(minutes=minutes)
        # An alarm already past would pop up as "overdue" in some clients.
        if start + trigger > now and trigger not in triggers:
            triggers.append(trigger)
    return triggers


def vevent(event: Event, *, triggers: Sequence[timedelta], url: str | None) -> VEvent:
    """The event as a VEVENT. Notes stay in Caseroom: calendars live on other servers."""
    component = VEvent()
    component.add("uid", event.uid)
    component.add("dtstamp", _utc(event.updated_at))
    component.add("created", _utc(event.created_at))
    component.add("last-modified", _utc(event.updated_at))
    component.add("sequence", event.sequence)
    start, end = _dates(event)
    component.add("dtstart", start)
    component.add("dtend", end)
    component.add("summary", _summary(event))
    component.add("status", _STATUS[event.status])
    component.add("transp", "TRANSPARENT" if _is_free_time(event) else "OPAQUE")
    component.add("class", "PRIVATE")
    component.add("categories", [str(event.get_kind_display())])
    if location := _location(event):
        component.add("location", location)
    component.add("description", _description(event, url))
    if url:
        component.add("url", url)
    if recurrence := _recurrence(event.rrule):
        component.add("rrule", recurrence)
        if event.exdates:  # occurrences left out, in DTSTART's form (RFC 5545 §3.8.5.1)
            component.add("exdate", [_dates_of(event, moment) for moment in event.exdates])
    for trigger in triggers:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _("Reminder: %(title)s") % {"title": event.title})
        alarm.add("trigger", trigger)
        component.add_component(alarm)
    return component


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _dates_of(event: Event, moment: datetime) -> date | datetime:
    moment = timezone.localtime(moment, HONG_KONG)
    return moment.date() if event.all_day else moment


def _dates(event: Event) -> tuple[date | datetime, date | datetime]:
    start = timezone.localtime(event.start, HONG_KONG)
    end = timezone.localtime(event.end, HONG_KONG)
    if not event.all_day:
        return start, end
    # RFC 5545 all-day: DATE values, DTEND exclusive (the model keeps the same convention).
    return start.date(), max(end.date(), start.date() + timedelta(days=1))


def _summary(event: Event) -> str:
    title = event.title
    if event.case_id:
        title = f"{title} · {event.case.reference}"
    if event.status == Event.Status.CANCELLED:
        # Some subscribing clients show a cancelled event like any other.
        return _("Cancelled: %(title)s") % {"title": title}
    return title


def _is_free_time(event: Event) -> bool:
    """An all-day deadline marks a day without filling it (as the calendar pages show it)."""
    if event.status == Event.Status.CANCELLED:
        return True
    return event.all_day and event.kind in TIME_FREE_KINDS


def _location(event: Event) -> str:
    if event.location:
        return event.location
    return ", ".join(part for part in (event.court, event.courtroom) if part)


def _description(event: Event, url: str | None) -> str:
    lines = [str(event.get_kind_display())]
    if event.case_id:
        case = event.case
        lines.append(_("Case: %(reference)s") % {"reference": " ".join(
            part for part in (case.reference, case.case_number) if part)})
    if event.court or event.courtroom:
        lines.append(_("Court: %(court)s") % {"court": ", ".join(
            part for part in (event.court, event.courtroom) if part)})
    if url:
        lines.append(url)
    return "\n".join(lines)


def _recurrence(rrule: str) -> vRecur | None:
    if not rrule:
        return None
    try:
        return vRecur.from_ical(rrule.removeprefix("RRULE:"))
    except ValueError:
        log.warning("event rrule %r is not RFC 5545; sent without repeats", rrule)
        return None


# --- Calendars around them ------------------------------------------------------------------


@functools.cache
def hong_kong_vtimezone() -> Timezone:
    """VTIMEZONE for Asia/Hong_Kong (no summer time since 1979: one STANDARD block)."""
    return Timezone.from_tzid("Asia/Hong_Kong", first_date=date(1980, 1, 1), last_date=date(2100, 1, 1))


def feed_document(*, name: str, vevents: Sequence[bytes]) -> bytes:
    """A subscription feed: what Outlook, Google and Apple Calendar poll."""
    calendar = _calendar()
    calendar.add("method", "PUBLISH")
    calendar.calendar_name = name  # NAME (RFC 7986) and X-WR-CALNAME
    calendar.add("x-wr-timezone", "Asia/Hong_Kong")
    calendar.refresh_interval = REFRESH_INTERVAL
    calendar.add("x-published-ttl", "PT1H")
    return _with_events(calendar, vevents)


def caldav_document(vevent_bytes: bytes) -> bytes:
    """One event as a CalDAV calendar object resource."""
    return _with_events(_calendar(), [vevent_bytes])


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def _with_events(calendar: Calendar, vevents: Sequence[bytes]) -> bytes:
    calendar.add_component(hong_kong_vtimezone())
    head = calendar.to_ical()
    if not head.endswith(_END):  # pragma: no cover - icalendar always ends with it
        raise ValueError("unexpected VCALENDAR serialisation")
    return head[: -len(_END)] + b"".join(vevents) + _END
