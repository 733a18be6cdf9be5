"""Which events a person sees, and the calendar's reads: a range of occurrences with filters,
one event (404 alike for missing and not-yours), a case's events.

Who sees what (docs: SPEC §2.4, and the calendar part of docs/calendar.md):
- an event of a case is seen by those who may see the case (``cases_visible_to``), and
  by no one else, not even its attendees;
- an event without a case is seen by the whole firm, except that someone else's leave
  shows only as "Leave" with its dates and person: its title, notes and place are seen
  by its owner and by the firm's admins (who keep the leave records), no one else;
- cancelled events stay (calendars that subscribed must hear of the cancellation) but the
  calendar pages leave them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from calendar_sync.models import Event, EventAttendee
from calendar_sync.models import events as models_events
from calendar_sync.selectors.display import human_date, human_moment
from calendar_sync.selectors.recurrence import occurrences
from cases.models import Case
from cases.selectors import cases_visible_to, visible_case_ids
from config.errors import NotFound
from firms.models import Membership, TeamMember

TIME_FREE_KINDS = (Event.Kind.FILING_DEADLINE, Event.Kind.LIMITATION)  # all-day: a date, not busy time


def events_visible_to(membership: Membership | None) -> QuerySet[Event]:
    """The firm's events that ``membership`` may see (leave still needs ``shows_details``)."""
    if membership is None:
        return Event.objects.none()
    # The cases' rule (cases.selectors.visible_case_ids): a wall added there holds here too.
    events = Event.objects.filter(firm_id=membership.firm_id)
    case_ids = visible_case_ids(membership)
    if case_ids is None:  # every case of the firm: no list of 20,000 ids to hash
        return events
    return events.filter(Q(case__isnull=True) | Q(case__in=case_ids))


def event_for_member(membership: Membership | None, event_id) -> Event:
    """One event, or NotFound alike for missing, another firm's, and a case you cannot see."""
    try:
        return (events_visible_to(membership).select_related("case", "owner__user")
                .prefetch_related(attendee_prefetch()).get(pk=int(event_id)))
    except (Event.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def shows_details(membership: Membership, event: Event) -> bool:
    """Someone else's leave is "Leave" and dates only; everything else is shown in full."""
    if event.kind != Event.Kind.LEAVE:
        return True
    return event.owner_id == membership.pk or membership.role == Membership.Role.ADMIN


def may_change_event(membership: Membership, event: Event) -> bool:
    """Leave: its owner and the firm's admins. A case's event: whoever may see the case (the
    calendar is the case team's). Other events: owner, attendees, partners and admins."""
    if event.kind == Event.Kind.LEAVE:
        return shows_details(membership, event)
    if event.case_id is not None or membership.sees_whole_firm or event.owner_id == membership.pk:
        return True
    return any(a.membership_id == membership.pk for a in event.attendees.all())


def may_add_for(membership: Membership, owner: Membership, kind: str) -> bool:
    """Anyone may put an event in a colleague's calendar, but only admins someone else's leave."""
    return kind != Event.Kind.LEAVE or owner.pk == membership.pk or membership.role == Membership.Role.ADMIN


# --- The calendar's range ----------------------------------------------------------------


@dataclass(frozen=True)
class CalendarFilters:
    """Whose calendar and which kinds, as in the URL: ``?person=12`` (or ``person=all``),
    ``?team=3``, ``?case=40``, ``?kind=hearing&kind=leave``. With no person, team or case
    the calendar is the asker's own."""

    person: int | None = None
    team: int | None = None
    case: int | None = None
    kinds: tuple[str, ...] = ()
    everyone: bool = False

    @classmethod
    def from_query(cls, params, membership: Membership | None = None) -> CalendarFilters:
        """Also reads the page's one "whose calendar" menu: ``cal=me|all|team:3|person:12``."""
        person_text = (params.get("person") or "").strip()
        team_text = params.get("team")
        chosen = (params.get("cal") or "").strip()
        if chosen == "all":
            person_text = "all"
        elif chosen.startswith("team:"):
            team_text, person_text = chosen[5:], person_text or "all"
        elif chosen.startswith("person:"):
            person_text = chosen[7:]
        elif chosen == "me" and membership is not None:
            person_text = str(membership.pk)
        kinds = tuple(k for k in dict.fromkeys(_many(params, "kind")) if k in Event.Kind.values)
        filters = cls(person=_int(person_text), team=_int(team_text), case=_int(params.get("case")),
                      kinds=kinds, everyone=person_text == "all")
        if membership is not None and not (filters.person or filters.team or filters.case or filters.everyone):
            filters = cls(person=membership.pk, kinds=kinds)
        return filters

    def as_query(self) -> dict:
        query: dict = {}
        if self.everyone:
            query["person"] = "all"
        elif self.person:
            query["person"] = self.person
        if self.team:
            query["team"] = self.team
        if self.case:
            query["case"] = self.case
        if self.kinds:
            query["kind"] = list(self.kinds)
        return query


def _many(params, name):
    getlist = getattr(params, "getlist", None)
    if getlist is not None:
        values = getlist(name)
    else:
        values = params.get(name) or []
        values = [values] if isinstance(values, str) else list(values)
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


def _int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 16 else None


@dataclass
class Occurrence:
    """One showing of an event in a range: the event itself, or one repeat of it."""

    event: Event
    start: datetime
    end: datetime
    detailed: bool = True
    people: list = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.event.pk

    @property
    def kind(self) -> str:
        return self.event.kind

    @property
    def all_day(self) -> bool:
        return self.event.all_day

    @property
    def title(self) -> str:
        if self.detailed:
            return self.event.title
        return _("Leave") if self.event.kind == Event.Kind.LEAVE else self.event.title

    @property
    def is_repeat(self) -> bool:
        return bool(self.event.rrule)

    @property
    def first_day(self) -> date:
        return timezone.localtime(self.start).date()

    @property
    def last_day(self) -> date:
        """The last day it touches, in Hong Kong (an all-day event's end is exclusive)."""
        end = timezone.localtime(self.end)
        if self.end > self.start and end.hour == end.minute == end.second == 0:
            return (end - timedelta(days=1)).date()
        return end.date()

    @property
    def spans_days(self) -> bool:
        return self.all_day or self.last_day != self.first_day

    @property
    def is_past(self) -> bool:
        return self.end < timezone.now() if self.end > self.start else self.start < timezone.now()

    @property
    def time_range(self) -> str:
        """"09:30–10:30", "All day", or with dates when it runs over more than one day."""
        if self.all_day:
            if self.first_day == self.last_day:
                return _("All day")
            return f"{human_date(self.first_day)} – {human_date(self.last_day)}"
        start, end = timezone.localtime(self.start), timezone.localtime(self.end)
        if end <= start:
            return f"{start:%H:%M}"
        if self.last_day == self.first_day:
            return f"{start:%H:%M}–{end:%H:%M}"
        return f"{human_moment(start)} – {human_moment(end)}"

    @property
    def is_time_free(self) -> bool:
        return self.all_day and self.kind in TIME_FREE_KINDS


def calendar_events(membership: Membership, filters: CalendarFilters, start: datetime, end: datetime, *,
                    include_cancelled: bool = False) -> QuerySet[Event]:
    """Events of the filtered calendar that may touch [start, end): single events overlapping it
    and repeating ones begun before its end (expanded by ``calendar_range``)."""
    events = events_visible_to(membership)
    if not include_cancelled:
        events = events.exclude(status=Event.Status.CANCELLED)
    events = events.alias(length=ExpressionWrapper(F("end") - F("start"), output_field=DurationField()))
    events = events.filter(_touching(start, end))
    if filters.person:
        events = events.filter(_concerns(Q(membership_id=filters.person)) | Q(owner_id=filters.person))
    if filters.team:
        in_team = TeamMember.objects.filter(team_id=filters.team, firm_id=membership.firm_id).values("membership_id")
        events = events.filter(_concerns(Q(membership_id__in=in_team)) | Q(owner_id__in=in_team))
    if filters.case:
        events = events.filter(case_id=filters.case)
    if filters.kinds:
        events = events.filter(kind__in=filters.kinds)
    return events


# What the calendar pages never show: left unread (a deadline's computation is most of its row,
# and each time stamp costs Django's time zone aware loader ~10 µs a row).
UNSHOWN_FIELDS = ("computation", "accepted_conflicts", "notes", "override_reason", "source", "source_uid",
                  "trigger_date", "computed_date", "created_at", "updated_at", "uid", "sequence", "rule",
                  "reminder_offsets_minutes")


# Single events longer than this are found by their length (an index of their own can serve
# them); shorter ones by a start no earlier than this before the range. A range's events are
# then three index ranges instead of every event of the firm that began before the range ends.
LONG_EVENT = models_events.LONG_EVENT  # the same interval as event_long_idx's condition


def _touching(start: datetime, end: datetime) -> Q:
    """Events that may touch [start, end), in three parts that each can be an index range on
    (firm, start) under row-level security (plain comparisons of ``start`` with values):
    single events begun at most a day before the range (most), single events longer than a
    day begun earlier and not ended (leave, trials), and repeating ones begun before its end."""
    overlaps = Q(end__gt=start) | Q(start__gte=start)  # an event of no length at the range's start counts
    near = Q(rrule="", start__gte=start - LONG_EVENT, start__lt=end) & overlaps
    long = Q(rrule="", start__lt=start - LONG_EVENT, end__gt=start, length__gt=LONG_EVENT)
    return near | long | (~Q(rrule="") & Q(start__lt=end))


def calendar_range(membership: Membership, filters: CalendarFilters, start: datetime, end: datetime, *,
                   with_people: bool = True) -> list[Occurrence]:
    """Every occurrence in [start, end), sorted; repeats expanded within the range. A fixed
    number of queries whatever the range holds: the events, then (``with_people``) their
    attendees. The month, week and day grids show no attendees: without them a busy team's
    month (900 events) makes 1,900 model instances instead of 16,000."""
    events = calendar_events(membership, filters, start, end).defer(*UNSHOWN_FIELDS).order_by("start", "pk")
    if with_people:
        events = events.select_related("case", "owner__user").prefetch_related(attendee_prefetch())
    else:
        # The owner (a name on others' leave) in a query of its own: joined, it led PostgreSQL to
        # walk every member's events for the range (75 ms instead of 5 for the associate's month).
        events = events.prefetch_related(Prefetch("owner", queryset=Membership.objects.select_related("user")))
    return _occurrences(membership, events, start, end, with_people=with_people)


def _occurrences(membership, events, start, end, *, with_people: bool = True) -> list[Occurrence]:
    found = []
    for event in events:
        detailed = shows_details(membership, event)
        people = _people(event) if with_people else []
        for begins, ends in occurrences(start=event.start, end=event.end, rrule_text=event.rrule,
                                        window_start=start, window_end=end, exdates=event.exdates):
            found.append(Occurrence(event=event, start=begins, end=ends, detailed=detailed, people=people))
    found.sort(key=lambda o: (not o.all_day, o.start, o.event.title.lower(), o.pk))
    return found


def _people(event: Event) -> list:
    """The owner first, then the other attendees (members, then people from outside)."""
    people = [event.owner]
    for attendee in event.attendees.all():
        person = attendee.membership or attendee.external_person
        if attendee.membership_id != event.owner_id and person is not None:
            people.append(person)
    return people


def _concerns(who: Q):
    return Exists(EventAttendee.objects.filter(who, event=OuterRef("pk")))


def attendee_prefetch() -> Prefetch:
    return Prefetch("attendees", queryset=EventAttendee.objects.select_related(
        "membership__user", "external_person").order_by("-is_counsel", "pk"))


# --- A case's calendar tab -----------------------------------------------------------------

CASE_PAST_SHOWN = 20


def events_for_case(*, case: Case, membership: Membership) -> list[Occurrence]:
    """A case's coming events (every one) and its latest past ones, oldest first; cancelled
    ones left out. Repeats are shown once, at their next occurrence. Nothing if the case is
    not the person's to see."""
    events = (events_visible_to(membership).filter(case=case).exclude(status=Event.Status.CANCELLED)
              .select_related("case", "owner__user").prefetch_related(attendee_prefetch()))
    now = timezone.now()
    coming = list(events.filter(Q(end__gte=now) | ~Q(rrule="")).order_by("start", "pk"))
    past = list(events.filter(end__lt=now, rrule="").order_by("-start", "-pk")[:CASE_PAST_SHOWN])
    shown = []
    for event in reversed(past):
        shown.append(Occurrence(event=event, start=event.start, end=event.end,
                                detailed=shows_details(membership, event), people=_people(event)))
    for event in coming:
        begins, ends = event.start, event.end
        if event.rrule:
            upcoming = occurrences(start=event.start, end=event.end, rrule_text=event.rrule,
                                   window_start=now, window_end=now + timedelta(days=3660), limit=1,
                                   exdates=event.exdates)
            if not upcoming:
                continue
            begins, ends = upcoming[0]
        shown.append(Occurrence(event=event, start=begins, end=ends,
                                detailed=shows_details(membership, event), people=_people(event)))
    return shown


def case_choices(membership: Membership, limit: int = 300) -> QuerySet[Case]:
    """Cases to offer in an event form: those the person sees, busiest first."""
    return (cases_visible_to(membership).exclude(status=Case.Status.CLOSED)
            .order_by("-last_activity_at", "-pk").only("pk", "reference", "case_number", "title_en", "title_zh")[:limit])


def external_people_known_to(firm_id: int):
    """People from outside (counsel of another firm, experts, clients) the firm already deals
    with: so far those on its events; the people invited to its rooms belong here too once
    rooms exist. Never every outsider on the platform: that would tell one firm another's clients."""
    from firms.models import User

    return User.objects.filter(is_active=True).exclude(external_kind="").filter(
        Exists(EventAttendee.objects.filter(firm_id=firm_id, external_person=OuterRef("pk"))))
