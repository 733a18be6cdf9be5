"""Conflicts of an event being made or moved, found before it is saved:

- ``double_booked``: one of its people has another event of theirs at an overlapping time
  (cancelled events, and all-day filing deadlines and limitation dates, take no time);
- ``on_leave``: a hearing on a day one of its people is on leave (the whole day counts),
  or any other event during their leave, or leave over one of their events;
- ``counsel_hearings``: someone appearing as counsel at two hearings at overlapping times.

Repeating events are compared occurrence by occurrence within a year of the first one.
A conflict names the person and the other event by id; ``describe_conflicts`` words it for
one reader, without the title of an event that reader may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from calendar_sync.models import Event, EventAttendee
from calendar_sync.selectors.display import human_date, human_moment
from calendar_sync.selectors.events import TIME_FREE_KINDS, events_visible_to, shows_details
from calendar_sync.selectors.recurrence import occurrences
from firms.models import Membership

DOUBLE_BOOKED = "double_booked"
ON_LEAVE = "on_leave"
COUNSEL_HEARINGS = "counsel_hearings"
REPEATS_CHECKED_FOR = timedelta(days=366)
MOST_REPORTED = 50


@dataclass(frozen=True)
class Candidate:
    """The event as it would be saved."""

    kind: str
    start: datetime
    end: datetime
    all_day: bool = False
    rrule: str = ""
    people: frozenset[int] = frozenset()   # membership ids: the owner and member attendees
    counsel: frozenset[int] = frozenset()  # those of them appearing as counsel
    event_id: int | None = None            # the event being moved, left out of the comparison
    exdates: tuple[datetime, ...] = ()     # occurrences of its rule left out (RFC 5545 EXDATE)


@dataclass(frozen=True)
class Conflict:
    type: str
    membership_id: int
    event_id: int
    start: datetime
    end: datetime

    def as_record(self) -> dict:
        return {"type": self.type, "membership_id": self.membership_id, "event_id": self.event_id,
                "start": self.start.isoformat(), "end": self.end.isoformat()}


def find_conflicts(*, firm_id: int, candidate: Candidate) -> list[Conflict]:
    if not candidate.people or (candidate.all_day and candidate.kind in TIME_FREE_KINDS):
        return []
    mine = _candidate_occurrences(candidate)
    if not mine:
        return []
    window_start = _day_start(mine[0][0])
    window_end = _day_start(max(end for _start, end in mine)) + timedelta(days=1)
    found: dict[tuple, Conflict] = {}
    for other, people, counsel in _others(firm_id, candidate, window_start, window_end):
        theirs = occurrences(start=other.start, end=other.end, rrule_text=other.rrule,
                             window_start=window_start, window_end=window_end, limit=2000,
                             exdates=other.exdates)
        for person in sorted(candidate.people & people):
            for begins, ends in theirs:
                kind = _clash(candidate, mine, other, begins, ends, both_counsel=(
                    person in candidate.counsel and person in counsel))
                if kind and (kind, person, other.pk) not in found:
                    found[(kind, person, other.pk)] = Conflict(kind, person, other.pk, begins, ends)
                    break
        if len(found) >= MOST_REPORTED:
            break
    return sorted(found.values(), key=lambda c: (c.start, c.membership_id, c.type))


def _clash(candidate: Candidate, mine, other: Event, begins: datetime, ends: datetime, *, both_counsel: bool):
    """The kind of clash between one of the other event's occurrences and the candidate's, if any."""
    leave_involved = Event.Kind.LEAVE in (candidate.kind, other.kind)
    hearing_involved = Event.Kind.HEARING in (candidate.kind, other.kind)
    for start, end in mine:
        if leave_involved and hearing_involved and _same_days(start, end, begins, ends):
            return ON_LEAVE
        if not _overlap(start, end, begins, ends):
            continue
        if leave_involved:
            return ON_LEAVE
        if both_counsel and candidate.kind == other.kind == Event.Kind.HEARING:
            return COUNSEL_HEARINGS
        return DOUBLE_BOOKED
    return None


def _candidate_occurrences(candidate: Candidate):
    if not candidate.rrule:
        return [(candidate.start, candidate.end)]
    return occurrences(start=candidate.start, end=candidate.end, rrule_text=candidate.rrule,
                       window_start=candidate.start, window_end=candidate.start + REPEATS_CHECKED_FOR, limit=400,
                       exdates=candidate.exdates)


def _others(firm_id: int, candidate: Candidate, window_start: datetime, window_end: datetime):
    """Other live events of the candidate's people that may touch the window, with their people."""
    people = list(candidate.people)
    theirs = Exists(EventAttendee.objects.filter(event=OuterRef("pk"), membership_id__in=people))
    events = (Event.objects.filter(firm_id=firm_id).exclude(status=Event.Status.CANCELLED)
              .filter(Q(owner_id__in=people) | theirs)
              .filter(Q(start__lt=window_end) & (Q(end__gt=window_start) | Q(start__gte=window_start) | ~Q(rrule="")))
              .exclude(all_day=True, kind__in=TIME_FREE_KINDS)
              .order_by("start", "pk"))
    if candidate.event_id:
        events = events.exclude(pk=candidate.event_id)
    events = list(events[:2000])
    links: dict[int, list[tuple[int, bool]]] = {}
    for event_id, membership_id, is_counsel in EventAttendee.objects.filter(
            event_id__in=[e.pk for e in events], membership_id__isnull=False).values_list(
            "event_id", "membership_id", "is_counsel"):
        links.setdefault(event_id, []).append((membership_id, is_counsel))
    for event in events:
        linked = links.get(event.pk, [])
        people_of = frozenset({event.owner_id, *(m for m, _c in linked)})
        counsel_of = frozenset(m for m, is_counsel in linked if is_counsel)
        yield event, people_of, counsel_of


def _overlap(a_start, a_end, b_start, b_end) -> bool:
    """Overlapping in time; an event of no length occupies its instant."""
    a_end = max(a_end, a_start + timedelta(minutes=1))
    b_end = max(b_end, b_start + timedelta(minutes=1))
    return a_start < b_end and b_start < a_end


def _same_days(a_start, a_end, b_start, b_end) -> bool:
    """Touching a common Hong Kong day."""
    return _overlap(_day_start(a_start), _day_end(a_start, a_end), _day_start(b_start), _day_end(b_start, b_end))


def _day_start(moment: datetime) -> datetime:
    return datetime.combine(timezone.localtime(moment).date(), time.min, tzinfo=timezone.get_default_timezone())


def _day_end(start: datetime, end: datetime) -> datetime:
    """Midnight after the last day the span touches (an end at midnight is exclusive)."""
    last = max(end, start + timedelta(seconds=1)) - timedelta(seconds=1)
    return _day_start(last) + timedelta(days=1)


# --- Words for a reader -------------------------------------------------------------------


def describe_conflicts(records: list[dict], *, membership: Membership) -> list[dict]:
    """Each conflict (a ``Conflict.as_record()``) as a sentence for ``membership``, in two queries."""
    if not records:
        return []
    people = {m.pk: m for m in Membership.objects.filter(
        firm_id=membership.firm_id, pk__in={r["membership_id"] for r in records}).select_related("user")}
    events = {e.pk: e for e in events_visible_to(membership).filter(pk__in={r["event_id"] for r in records})}
    described = []
    for record in records:
        person = people.get(record["membership_id"])
        name = person.user.display_name if person else _("Someone who has left the firm")
        event = events.get(record["event_id"])
        start = datetime.fromisoformat(record["start"])
        end = datetime.fromisoformat(record["end"])
        described.append({**record, "person": name, "message": _sentence(
            record["type"], name, event, start, end, membership)})
    return described


def _sentence(kind: str, name: str, event: Event | None, start, end, membership) -> str:
    when = human_moment(start, all_day=bool(event and event.all_day))
    if kind == ON_LEAVE:
        return _("%(person)s is on leave on %(date)s.") % {"person": name, "date": human_date(start)} \
            if event is not None and event.kind == Event.Kind.LEAVE else \
            _("%(person)s would be on leave during “%(title)s” on %(when)s.") % {
                "person": name, "title": _title(event, membership), "when": when}
    if kind == COUNSEL_HEARINGS:
        return _("%(person)s is already counsel at another hearing, “%(title)s”, on %(when)s.") % {
            "person": name, "title": _title(event, membership), "when": when}
    return _("%(person)s already has “%(title)s” on %(when)s.") % {
        "person": name, "title": _title(event, membership), "when": when}


def _title(event: Event | None, membership: Membership) -> str:
    if event is None:
        return _("an event you cannot see")
    if not shows_details(membership, event):
        return _("Leave")
    return event.title
