"""Importing an ICS file (a counsel's diary, an Outlook export) into one person's calendar.

All or nothing: a file that is not iCalendar, or any event in it that cannot be read,
stops the import with a message naming the event, and nothing is saved. Events already
there are skipped and reported: the same UID (+ RECURRENCE-ID) imported before into the
same calendar, or the same title at the same start. The UID check is read first for the
report, and made certain by the database: the partial unique index
``event_imported_once_per_calendar`` (firm, owner, source_uid WHERE source = 'ics-import').
An import that loses a race to another one importing the same file (both read "not there"
before either saved) waits for it, then finds the UID taken: that event is skipped as
imported before, in its own savepoint, and the rest of the file goes on. Times are moved to Hong Kong time; a
time with no zone ("floating") is taken as Hong Kong time; all-day events stay all-day.

A repeating event keeps its RRULE when imported as internal (only internal events repeat);
as a client meeting, or with a rule Caseroom does not keep (by the hour, say), it is
skipped with the reason. A rule that is not RFC 5545 at all makes the file malformed.
Occurrences left out of a series are kept (``Event.exdates``): its EXDATEs, and the
original start (RECURRENCE-ID) of each occurrence the file moves or changes, which comes
in as an event of its own. Extra dates (RDATE) are not kept, and the summary says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar

from audit.services import audit_record
from calendar_sync.models import Event, EventAttendee
from calendar_sync.selectors.recurrence import BadRule, normalise_rrule
from calendar_sync.services.events import MAX_EXDATES, day_bounds, event_create
from config.errors import ApplicationError, ValidationFailed
from firms.models import Membership

SOURCE = "ics-import"
UNIQUE_IMPORT = "event_imported_once_per_calendar"  # Event.Meta.constraints
MAX_BYTES = 2 * 1024 * 1024
MAX_EVENTS = 2000
KINDS = (Event.Kind.INTERNAL, Event.Kind.CLIENT_MEETING)
# Who may import into a colleague's calendar: secretaries keep diaries; partners and admins too.
IMPORTS_FOR_OTHERS = {Membership.Role.SECRETARY, Membership.Role.PARTNER, Membership.Role.ADMIN}
HONG_KONG = timezone.get_default_timezone()


class MalformedCalendar(ValidationFailed):
    code = "invalid_ics"

    def __init__(self, message):
        super().__init__(message, fields={"file": [message]})


@dataclass
class Item:
    """One VEVENT, read."""

    number: int
    uid: str
    source_uid: str
    title: str
    start: datetime
    end: datetime
    all_day: bool
    location: str = ""
    notes: str = ""
    rrule: str = ""
    cancelled: bool = False
    has_extra_dates: bool = False  # RDATE: not kept
    exdates: list[datetime] = field(default_factory=list)
    recurrence_of: str = ""  # an occurrence of the series with this UID, moved or changed
    recurrence_start: datetime | None = None  # … whose own start (RECURRENCE-ID) was this


@dataclass
class ImportResult:
    created: list[Event] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {"title", "start", "all_day", "reason"}
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": len(self.created),
            "event_ids": [e.pk for e in self.created],
            "skipped": [{**s, "start": s["start"].isoformat()} for s in self.skipped],
            "warnings": self.warnings,
        }


@transaction.atomic
def ics_import(*, membership: Membership, owner: Membership, data: bytes, kind: str) -> ImportResult:
    """Each VEVENT of ``data`` becomes an event of ``kind`` in ``owner``'s calendar."""
    _check_request(membership, owner, kind)
    items = parse_ics(data)
    result = ImportResult()
    seen_uids, seen_slots = _already_there(owner, items)
    for item in items:
        reason = _skip_reason(item, kind, seen_uids, seen_slots)
        if reason:
            result.skipped.append({"title": item.title, "start": item.start, "all_day": item.all_day,
                                   "reason": reason})
            continue
        seen_uids.add(item.source_uid)
        seen_slots.add((item.title.casefold(), item.start))
        event = _create(membership, owner, kind, item)
        if event is None:  # another import saved it first
            result.skipped.append({"title": item.title, "start": item.start, "all_day": item.all_day,
                                   "reason": _("Imported before (same UID).")})
            continue
        result.created.append(event)
    extra = sum(1 for item in items if item.has_extra_dates)
    if extra:
        result.warnings.append(_("%(n)s repeating event(s) had extra dates (RDATE) that were not imported: "
                                 "check those series.") % {"n": extra})
    audit_record(action="event.import", object_type="membership", object_id=owner.pk, changes={
        "source": SOURCE, "kind": kind, "owner": owner.pk, "created": len(result.created),
        "skipped": len(result.skipped), "event_ids": [e.pk for e in result.created]})
    return result


def _check_request(membership: Membership, owner: Membership, kind: str) -> None:
    if kind not in KINDS:
        raise ValidationFailed(_("Choose internal events or client meetings."),
                               fields={"kind": [_("Choose internal events or client meetings.")]})
    if owner.firm_id != membership.firm_id or not owner.is_active:
        raise ValidationFailed(_("Choose someone at your firm."), fields={"owner": [_("Choose someone at your firm.")]})
    if owner.pk != membership.pk and membership.role not in IMPORTS_FOR_OTHERS:
        message = _("You can import only into your own calendar. A secretary, partner or admin can import "
                    "into a colleague's.")
        raise ValidationFailed(message, fields={"owner": [message]})


def _already_there(owner: Membership, items: list[Item]) -> tuple[set, set]:
    """UIDs imported into this calendar before, and (title, start) of its live events near the file's."""
    uids = set(Event.objects.filter(firm_id=owner.firm_id, owner=owner, source=SOURCE,
                                    source_uid__in=[i.source_uid for i in items])
               .values_list("source_uid", flat=True))
    starts = {i.start for i in items}
    mine = Event.objects.filter(firm_id=owner.firm_id, start__in=starts).exclude(status=Event.Status.CANCELLED)
    attending = EventAttendee.objects.filter(membership=owner).values("event_id")
    slots = {(title.casefold(), start) for title, start in
             mine.filter(pk__in=attending).values_list("title", "start")}
    slots |= {(title.casefold(), start) for title, start in mine.filter(owner=owner).values_list("title", "start")}
    return uids, slots


def _skip_reason(item: Item, kind: str, uids: set, slots: set) -> str:
    if item.cancelled:
        return _("Cancelled in the file.")
    if item.source_uid in uids:
        return _("Imported before (same UID).")
    if (item.title.casefold(), item.start) in slots:
        return _("Already in the calendar (same title and start).")
    if item.rrule and kind != Event.Kind.INTERNAL:
        return _("It repeats, and only internal events can repeat: import the file as internal events "
                 "to keep it.")
    if item.rrule:
        try:
            normalise_rrule(item.rrule, start=item.start, all_day=item.all_day)
        except BadRule as error:
            return _("Its repeat rule cannot be kept: %(problem)s") % {"problem": error}
    return ""


def _create(membership: Membership, owner: Membership, kind: str, item: Item) -> Event | None:
    """The new event, or None if the calendar holds this UID already (a concurrent import).
    event_create is atomic: inside the import's transaction, a savepoint, so a refused
    insert takes back only this event (and its audit entry)."""
    try:
        return event_create(owner=owner, acting=membership, kind=kind, title=item.title, start=item.start,
                            end=item.end, all_day=item.all_day, location=item.location, notes=item.notes,
                            rrule=item.rrule, exdates=item.exdates, source=SOURCE, source_uid=item.source_uid)
    except IntegrityError as error:
        if getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) == UNIQUE_IMPORT:
            return None
        raise
    except ApplicationError as error:
        problems = "; ".join(str(m) for messages in error.fields.values() for m in messages) or str(error.message)
        raise MalformedCalendar(_("Event %(n)s (“%(title)s”) cannot be imported: %(problem)s Nothing was "
                                  "imported.") % {"n": item.number, "title": item.title,
                                                  "problem": problems}) from None


# --- Reading the file ---------------------------------------------------------------------------


def parse_ics(data: bytes) -> list[Item]:
    """Every VEVENT of the file, or MalformedCalendar saying what is wrong and where."""
    if len(data) > MAX_BYTES:
        raise MalformedCalendar(_("The file is larger than 2 MB. Export a shorter period and import that."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedCalendar(_("The file is not text in UTF-8, so it is not an iCalendar (.ics) file.")) from None
    try:
        calendar = Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as error:
        raise MalformedCalendar(_("This is not a readable iCalendar (.ics) file: %(error)s") % {
            "error": str(error)[:200]}) from None
    if calendar.name != "VCALENDAR":
        raise MalformedCalendar(_("This is not an iCalendar file: it does not begin with BEGIN:VCALENDAR."))
    events = calendar.walk("VEVENT")
    if not events:
        raise MalformedCalendar(_("The file holds no events (VEVENT), so there is nothing to import."))
    if len(events) > MAX_EVENTS:
        raise MalformedCalendar(_("The file holds more than %(n)s events. Export a shorter period.") % {
            "n": MAX_EVENTS})
    items = [_read(number, component) for number, component in enumerate(events, start=1)]
    _leave_out_moved_occurrences(items)
    return items


def _leave_out_moved_occurrences(items: list[Item]) -> None:
    """An occurrence the file moves or changes (RECURRENCE-ID) comes in as an event of its own:
    the series leaves out its original start, so it is not there twice."""
    series = {item.uid: item for item in items if item.rrule and not item.recurrence_of}
    for item in items:
        master = series.get(item.recurrence_of)
        if master is not None and item.recurrence_start is not None:
            master.exdates = sorted({*master.exdates, item.recurrence_start})


def _read(number: int, component) -> Item:
    title = " ".join(str(component.get("SUMMARY", "")).split())[:300] or _("(no title)")

    def broken(problem):
        return MalformedCalendar(_("Event %(n)s (“%(title)s”) cannot be read: %(problem)s Nothing was "
                                   "imported.") % {"n": number, "title": title, "problem": problem})

    if component.errors:
        name, error = component.errors[0]
        raise broken(_("%(property)s is not valid (%(error)s).") % {"property": name, "error": str(error)[:120]})
    if component.get("DTSTART") is None:
        raise broken(_("it has no start (DTSTART)."))
    start, end, all_day = _times(component, broken)
    uid = str(component.get("UID", "")).strip() or _content_id(component)
    recurrence_id = component.get("RECURRENCE-ID")
    source_uid = uid if recurrence_id is None else f"{uid}/{_stamp(component.decoded('RECURRENCE-ID'))}"
    recurrence_start = None
    if recurrence_id is not None:
        recurrence_start = _occurrence_start(component.decoded("RECURRENCE-ID"), all_day=all_day, start=start)
    if len(source_uid) > 300:
        source_uid = "sha256:" + hashlib.sha256(source_uid.encode()).hexdigest()
    rules = component.get("RRULE")
    if isinstance(rules, list):
        raise broken(_("it has more than one RRULE."))
    return Item(
        number=number, uid=uid, source_uid=source_uid, title=title, start=start, end=end, all_day=all_day,
        location=" ".join(str(component.get("LOCATION", "")).split())[:300],
        notes=str(component.get("DESCRIPTION", "")).strip()[:5000],
        rrule=rules.to_ical().decode() if rules is not None else "",
        cancelled=str(component.get("STATUS", "")).upper() == "CANCELLED",
        has_extra_dates=rules is not None and component.get("RDATE") is not None,
        exdates=_exdates(component, all_day=all_day, start=start, broken=broken) if rules is not None else [],
        recurrence_of=uid if recurrence_id is not None else "",
        recurrence_start=recurrence_start,
    )


def _exdates(component, *, all_day: bool, start: datetime, broken) -> list[datetime]:
    """The series' EXDATEs (one property or several, each one date or more) as occurrence starts."""
    found = component.get("EXDATE")
    if found is None:
        return []
    moments = set()
    for prop in found if isinstance(found, list) else [found]:
        for value in getattr(prop, "dts", []):
            if not isinstance(value.dt, date):
                raise broken(_("its EXDATE is not a date or time."))
            moments.add(_occurrence_start(value.dt, all_day=all_day, start=start))
    if len(moments) > MAX_EXDATES:
        raise broken(_("it leaves out more than %(n)s dates (EXDATE).") % {"n": MAX_EXDATES})
    return sorted(moments)


def _occurrence_start(value, *, all_day: bool, start: datetime) -> datetime:
    """An EXDATE or RECURRENCE-ID value as the start of that occurrence, in Hong Kong: a day's
    HK midnight for an all-day series; for a timed one, a date alone means the series' time
    on that day (some programs write it so)."""
    if isinstance(value, datetime):
        moment = _hong_kong(value)
        if all_day:
            return day_bounds(moment.date(), moment.date())[0]
        return moment
    if all_day:
        return day_bounds(value, value)[0]
    return datetime.combine(value, timezone.localtime(start, HONG_KONG).time(), tzinfo=HONG_KONG)


def _times(component, broken) -> tuple[datetime, datetime, bool]:
    start = component.decoded("DTSTART")
    if not isinstance(start, date):
        raise broken(_("its start (DTSTART) is not a date or time."))
    all_day = not isinstance(start, datetime)
    if component.get("DTEND") is not None:
        end = component.decoded("DTEND")
    elif component.get("DURATION") is not None:
        duration = component.decoded("DURATION")
        if not isinstance(duration, timedelta):
            raise broken(_("its DURATION is not a length of time."))
        end = start + duration
    else:  # RFC 5545 §3.6.1: a day for a date, an instant for a time
        end = start + timedelta(days=1) if all_day else start
    if all_day:
        if isinstance(end, datetime):
            end = timezone.localtime(_hong_kong(end)).date()
        last = max(start, end - timedelta(days=1))
        if end < start:
            raise broken(_("it ends (DTEND) before it starts (DTSTART)."))
        first_moment, end_moment = day_bounds(start, last)
        return first_moment, end_moment, True
    if not isinstance(end, datetime):
        end = datetime.combine(end, datetime.min.time())
    start, end = _hong_kong(start), _hong_kong(end)
    if end < start:
        raise broken(_("it ends (DTEND) before it starts (DTSTART)."))
    return start, end, False


def _hong_kong(moment: datetime) -> datetime:
    """Aware times moved to HK; floating times taken as HK wall-clock time."""
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=HONG_KONG)
    return moment.astimezone(HONG_KONG)


def _stamp(moment) -> str:
    if isinstance(moment, datetime):
        moment = _hong_kong(moment)
        return moment.strftime("%Y%m%dT%H%M%S")
    return moment.strftime("%Y%m%d")


def _content_id(component) -> str:
    """A stand-in UID for an event without one (RFC 5545 requires one; some exports omit it)."""
    return "no-uid-" + hashlib.sha256(component.to_ical()).hexdigest()[:32]
