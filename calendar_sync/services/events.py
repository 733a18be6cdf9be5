"""Creating, changing and cancelling events. Every change bumps the RFC 5545 SEQUENCE,
writes its audit entry (with the case id, for the timeline) and, after commit, queues the
push to the attendees' own CalDAV calendars (calendar_sync.sync).

Conflicts (a person double-booked, a hearing on a day of leave, counsel at two hearings at
once) are looked for when the caller asks (``check_conflicts=True``: the pages and the API
do; the deadline engine and integrations do not). Found and not accepted, nothing is saved
and ``ConflictsFound`` lists them; accepted, they are kept in ``Event.accepted_conflicts``
and in the audit entry, with who accepted them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from calendar_sync.models import Event, EventAttendee
from calendar_sync.reminders import rules
from calendar_sync.selectors.conflicts import Candidate, Conflict, find_conflicts
from calendar_sync.selectors.recurrence import BadRule, normalise_rrule
from config.errors import ApplicationError, ValidationFailed
from firms.models import Membership, User

HONG_KONG = timezone.get_default_timezone()  # settings.TIME_ZONE = Asia/Hong_Kong
EVENT_FIELDS = ("kind", "title", "case", "status", "all_day", "start", "end", "court", "courtroom",
                "location", "notes", "rrule", "reminder_offsets_minutes")
# Changes that move an event in time or change who is in it: worth a new look for conflicts.
_MOVES = {"kind", "all_day", "start", "end", "rrule", "status"}
_LENGTHS = {"title": 300, "court": 100, "courtroom": 50, "location": 300}
MAX_EXDATES = 1000  # occurrences left out of one repeating event


class ConflictsFound(ApplicationError):
    """The event would clash; nothing was saved. Accept the conflicts to save it anyway."""

    status = 409
    code = "conflicts"

    def __init__(self, conflicts: list[Conflict]):
        super().__init__(gettext_lazy("This event clashes with others. Check the conflicts, then save it anyway "
                                      "or change it."))
        self.conflicts = conflicts


def new_uid() -> str:
    return f"{uuid.uuid4()}@caseroom"


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """An all-day event from ``first`` to ``last`` inclusive: HK midnight to HK midnight."""
    start = datetime.combine(first, time.min, tzinfo=HONG_KONG)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=HONG_KONG)
    return start, end


def _audit(event: Event, action: str, changes: dict) -> None:
    audit_record(action=action, object_type="event", object_id=event.pk, case_id=event.case_id,
                 changes={"kind": event.kind, **changes})


def queue_sync(event: Event) -> None:
    """After commit, push the event to the CalDAV calendars of the people it concerns."""
    from calendar_sync.sync import queue_push_for_event

    event_id, firm_id = event.pk, event.firm_id
    transaction.on_commit(lambda: queue_push_for_event(event_id=event_id, firm_id=firm_id))


# --- Checking what is asked for -------------------------------------------------------------


def _clean(fields: dict) -> dict:
    """The fields as they will be stored, or ValidationFailed naming every wrong one."""
    errors = {}
    fields["title"] = (fields.get("title") or "").strip()
    if not fields["title"]:
        errors["title"] = [_("Enter a title.")]
    for name, most in _LENGTHS.items():
        if len(fields.get(name) or "") > most:
            errors[name] = [_("Use at most %(n)s characters.") % {"n": most}]
    if fields.get("kind") not in Event.Kind.values:
        errors["kind"] = [_("Choose a kind of event from the list.")]
    if fields.get("status", Event.Status.CONFIRMED) not in Event.Status.values:
        errors["status"] = [_("Choose confirmed, tentative or cancelled.")]
    start, end = _aware(fields.get("start")), _aware(fields.get("end"))
    if fields.get("all_day") and start is not None:
        start, end = _whole_days(start, end)
    fields["start"], fields["end"] = start, end
    if start is None:
        errors["start"] = [_("Enter when it starts.")]
    elif end is not None and end < start:
        errors["end"] = [_("The end must be after the start.")]
    if fields.get("rrule") and fields.get("kind") != Event.Kind.INTERNAL:
        errors["rrule"] = [_("Only internal events can repeat.")]
    elif fields.get("rrule") and start is not None:
        try:
            fields["rrule"] = normalise_rrule(fields["rrule"], start=start, all_day=bool(fields.get("all_day")))
        except BadRule as error:
            errors["rrule"] = [str(error)]
    try:
        fields["reminder_offsets_minutes"] = reminder_offsets_clean(fields.get("reminder_offsets_minutes"))
    except ValidationFailed as error:
        errors.update(error.fields)
    if errors:
        raise ValidationFailed(_("The event could not be saved; see the fields marked."), fields=errors)
    if fields.get("end") is None:
        fields["end"] = start + (timedelta(days=1) if fields.get("all_day") else timedelta(hours=1))
    fields["rrule"] = fields.get("rrule") or ""
    return fields


def reminder_offsets_clean(value) -> list[int] | None:
    """An event's own reminder offsets (minutes before; 0 is 08:00 on the day), largest first,
    or None for the firm's. ValidationFailed on the field ``reminder_offsets_minutes``."""
    if value is None:
        return None

    def refuse(message):
        return ValidationFailed(message, fields={"reminder_offsets_minutes": [message]})

    if isinstance(value, str | bytes | dict) or not hasattr(value, "__iter__"):
        raise refuse(_("Give the reminders as a list of minutes before the event."))
    offsets = list(value)
    if not offsets:
        raise refuse(_("Give at least one reminder, or none at all to use the firm's reminders."))
    if any(isinstance(m, bool) or not isinstance(m, int) for m in offsets):
        raise refuse(_("Each reminder must be a whole number of minutes before the event."))
    if any(m < 0 for m in offsets):
        raise refuse(_("Reminders come before the event: use 0 or more minutes (0 is 08:00 on the day)."))
    if any(m > rules.MAX_OFFSET_MINUTES for m in offsets):
        raise refuse(_("A reminder can be at most a year (525,600 minutes) before the event."))
    if len(set(offsets)) != len(offsets):
        raise refuse(_("The same reminder is given twice: give each one once."))
    if len(offsets) > rules.MAX_OWN_OFFSETS:
        raise refuse(_("Give at most %(n)s reminders for one event.") % {"n": rules.MAX_OWN_OFFSETS})
    return sorted(offsets, reverse=True)


def _clean_exdates(values, *, rrule: str, all_day: bool) -> list[datetime]:
    """Starts of occurrences left out of the rule (RFC 5545 EXDATE), sorted, each once; an
    all-day event's at HK midnight. None without a rule. ValidationFailed on ``exdates``."""
    if not rrule or not values:
        return []
    if isinstance(values, str | bytes | dict) or not hasattr(values, "__iter__"):
        values = [values]
    moments = [_aware(value) for value in values]
    if any(moment is None for moment in moments):
        message = _("Give the dates left out of the repeats as dates or times.")
        raise ValidationFailed(message, fields={"exdates": [message]})
    if all_day:
        moments = [datetime.combine(timezone.localtime(m, HONG_KONG).date(), time.min, tzinfo=HONG_KONG)
                   for m in moments]
    moments = sorted(set(moments))
    if len(moments) > MAX_EXDATES:
        message = _("At most %(n)s dates can be left out of one repeating event.") % {"n": MAX_EXDATES}
        raise ValidationFailed(message, fields={"exdates": [message]})
    return moments


def _aware(value):
    """A datetime in Hong Kong if it came without a zone; a bare date is its HK midnight."""
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time.min, tzinfo=HONG_KONG)
    if not isinstance(value, datetime):
        return None
    return value if timezone.is_aware(value) else value.replace(tzinfo=HONG_KONG)


def _whole_days(start: datetime, end: datetime | None) -> tuple[datetime, datetime]:
    """All day: from HK midnight of the first day to HK midnight after the last (RFC 5545 DTEND)."""
    first = timezone.localtime(start, HONG_KONG).date()
    if end is None or end <= start:
        return day_bounds(first, first)
    local_end = timezone.localtime(end, HONG_KONG)
    last = local_end.date() - timedelta(days=1) if local_end.time() == time.min else local_end.date()
    return day_bounds(first, max(first, last))


def _people(firm_id: int, members: list[Membership] | None, field: str) -> list[Membership]:
    """The firm's members, each once. (Pages and the API offer active members only; someone who
    has left may still be on an older event, and changing that event must not fail for it.)"""
    people = list(dict.fromkeys(members or []))
    if any(m.firm_id != firm_id for m in people):
        raise ValidationFailed(_("Choose people of your firm."),
                               fields={field: [_("Choose people who work at your firm.")]})
    return people


def _outsiders(people: list[User] | None) -> list[User]:
    people = list(dict.fromkeys(people or []))
    if any(not p.is_external for p in people):
        raise ValidationFailed(_("Only people from outside the firm can be added as outside attendees."),
                               fields={"external_attendees": [_("Choose people from outside the firm.")]})
    return people


def _lock_people(ids) -> None:
    """Two events made at once for one person must not both miss each other: take the people's
    rows in a fixed order, so the second waits and then sees the first."""
    list(Membership.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk").values_list("pk"))


def _check(firm_id: int, candidate: Candidate, *, accept: bool, accepted_by: Membership) -> list[dict]:
    _lock_people(candidate.people)
    conflicts = find_conflicts(firm_id=firm_id, candidate=candidate)
    if conflicts and not accept:
        raise ConflictsFound(conflicts)
    accepted_at = timezone.now().isoformat()
    return [{**c.as_record(), "accepted_by": accepted_by.pk, "accepted_at": accepted_at} for c in conflicts]


def _in_audit(accepted: list[dict]) -> list[dict]:
    """Accepted conflicts by reference only (ids), as audit entries keep personal data out."""
    return [{"type": c["type"], "membership_id": c["membership_id"], "event_id": c["event_id"],
             "accepted_by": c["accepted_by"]} for c in accepted]


# --- The services -----------------------------------------------------------------------------


@transaction.atomic
def event_create(*, owner: Membership, attendees: list[Membership] | None = None,
                 counsel: list[Membership] | None = None, external_people: list[User] | None = None,
                 check_conflicts: bool = False, accept_conflicts: bool = False,
                 acting: Membership | None = None, **fields) -> Event:
    """A new event in ``owner``'s calendar. ``counsel`` are attendees appearing as counsel;
    ``acting`` is who makes it (the owner unless a colleague does it for them)."""
    unknown = set(fields) - set(EVENT_FIELDS) - {"rule", "trigger_date", "computed_date", "computation",
                                                  "override_reason", "source", "source_uid",
                                                  "accepted_conflicts", "exdates"}
    if unknown:
        raise ValidationFailed(_("Unknown event details: %(f)s") % {"f": ", ".join(sorted(unknown))})
    exdates = fields.pop("exdates", None)
    fields = _clean({"status": Event.Status.CONFIRMED, **fields})
    fields["exdates"] = _clean_exdates(exdates, rrule=fields["rrule"], all_day=bool(fields.get("all_day")))
    if fields.get("case") is not None and fields["case"].firm_id != owner.firm_id:
        raise ValidationFailed(_("Choose a case you can see."), fields={"case": [_("Choose a case you can see.")]})
    counsel = _people(owner.firm_id, counsel, "counsel")
    members = _people(owner.firm_id, [owner, *(attendees or []), *counsel], "attendees")
    outsiders = _outsiders(external_people)
    if check_conflicts and fields["status"] != Event.Status.CANCELLED:
        candidate = Candidate(kind=fields["kind"], start=fields["start"], end=fields["end"],
                              all_day=bool(fields.get("all_day")), rrule=fields["rrule"],
                              people=frozenset(m.pk for m in members), counsel=frozenset(m.pk for m in counsel),
                              exdates=tuple(fields["exdates"]))
        fields["accepted_conflicts"] = _check(owner.firm_id, candidate, accept=accept_conflicts,
                                              accepted_by=acting or owner)
    event = Event.objects.create(firm_id=owner.firm_id, owner=owner, uid=new_uid(), **fields)
    _set_attendees(event, members, counsel, outsiders)
    changes = {"start": [None, _plain(event.start)], "title": [None, event.title],
               "attendees": [None, sorted(m.pk for m in members)]}
    if counsel:
        changes["counsel"] = [None, sorted(m.pk for m in counsel)]
    if event.accepted_conflicts:
        changes["accepted_conflicts"] = [None, _in_audit(event.accepted_conflicts)]
    if event.source:
        changes["source"] = [None, event.source]
    if event.reminder_offsets_minutes is not None:
        changes["reminder_offsets_minutes"] = [None, event.reminder_offsets_minutes]
    if event.exdates:
        changes["exdates"] = [None, [_plain(moment) for moment in event.exdates]]
    _audit(event, "event.create", changes)
    queue_sync(event)
    return event


@transaction.atomic
def event_update(*, event: Event, membership: Membership, attendees: list[Membership] | None = None,
                 counsel: list[Membership] | None = None, external_people: list[User] | None = None,
                 check_conflicts: bool = False, accept_conflicts: bool = False, **changes) -> Event:
    """Change an event. ``attendees``/``counsel``/``external_people``, when given, replace the
    current ones (the owner always stays)."""
    unknown = set(changes) - set(EVENT_FIELDS) - {"override_reason", "accepted_conflicts", "is_done"}
    if unknown:
        raise ValidationFailed(_("Unknown event details: %(f)s") % {"f": ", ".join(sorted(unknown))})
    event = Event.objects.select_for_update().select_related("owner").get(pk=event.pk)
    merged = _clean({field: changes.get(field, getattr(event, field)) for field in EVENT_FIELDS})
    if merged.get("case") is not None and merged["case"].firm_id != event.firm_id:
        raise ValidationFailed(_("Choose a case you can see."), fields={"case": [_("Choose a case you can see.")]})
    exdates = _moved_exdates(event, merged)
    diff = {}
    for field in dict.fromkeys([*EVENT_FIELDS, *changes]):
        value = merged[field] if field in merged else changes[field]
        before = getattr(event, field)
        if before != value:
            diff[field] = [_plain(before), _plain(value)]
            setattr(event, field, value)
    if exdates != list(event.exdates):
        diff["exdates"] = [[_plain(m) for m in event.exdates], [_plain(m) for m in exdates]]
        event.exdates = exdates
    people = _new_people(event, attendees, counsel, external_people)
    if people is not None:
        diff.update(people["diff"])
    if check_conflicts and event.status != Event.Status.CANCELLED and (_MOVES & set(diff) or people):
        members, chosen_counsel = people["members"] if people else _current_people(event)
        candidate = Candidate(kind=event.kind, start=event.start, end=event.end, all_day=event.all_day,
                              rrule=event.rrule, people=frozenset(m.pk for m in members),
                              counsel=frozenset(m.pk for m in chosen_counsel), event_id=event.pk,
                              exdates=tuple(event.exdates))
        accepted = _check(event.firm_id, candidate, accept=accept_conflicts, accepted_by=membership)
        if accepted or event.accepted_conflicts:
            diff["accepted_conflicts"] = [_in_audit(event.accepted_conflicts), _in_audit(accepted)]
            event.accepted_conflicts = accepted
    if not diff:
        return event
    event.sequence += 1
    event.updated_at = timezone.now()
    event.save()
    if people is not None:
        event.attendees.all().delete()
        _set_attendees(event, *people["members"], people["outsiders"])
    if "accepted_conflicts" in diff and diff["accepted_conflicts"][0] == diff["accepted_conflicts"][1]:
        del diff["accepted_conflicts"]
    _audit(event, "event.update", diff)
    queue_sync(event)
    return event


def _moved_exdates(event: Event, merged: dict) -> list[datetime]:
    """The occurrences left out after a change: none without a rule; moved with the series
    when its start moves (so the same occurrences stay left out)."""
    shift = merged["start"] - event.start
    return _clean_exdates([moment + shift for moment in event.exdates], rrule=merged["rrule"],
                          all_day=bool(merged.get("all_day")))


@transaction.atomic
def event_cancel(*, event: Event, membership: Membership) -> Event:
    """Cancelled, not deleted: calendars that subscribed must hear STATUS:CANCELLED."""
    return event_update(event=event, membership=membership, status=Event.Status.CANCELLED)


# --- Attendees ----------------------------------------------------------------------------------


def _set_attendees(event: Event, members: list[Membership], counsel: list[Membership], outsiders: list[User]):
    counsel_ids = {m.pk for m in counsel}
    EventAttendee.objects.bulk_create(
        [EventAttendee(firm_id=event.firm_id, event=event, membership=m, is_counsel=m.pk in counsel_ids)
         for m in members]
        + [EventAttendee(firm_id=event.firm_id, event=event, external_person=p) for p in outsiders])


def _current_people(event: Event) -> tuple[list[Membership], list[Membership]]:
    links = list(event.attendees.filter(membership__isnull=False).select_related("membership"))
    members = list(dict.fromkeys([event.owner, *(a.membership for a in links)]))
    return members, [a.membership for a in links if a.is_counsel]


def _new_people(event: Event, attendees, counsel, external_people) -> dict | None:
    """The attendees after the change, and its diff; None when nothing about them changes."""
    if attendees is None and counsel is None and external_people is None:
        return None
    current_members, current_counsel = _current_people(event)
    current_outsiders = [a.external_person for a in event.attendees.filter(external_person__isnull=False)
                         .select_related("external_person")]
    new_counsel = _people(event.firm_id, current_counsel if counsel is None else counsel, "counsel")
    chosen = current_members if attendees is None else attendees
    members = _people(event.firm_id, [event.owner, *chosen, *new_counsel], "attendees")
    outsiders = _outsiders(current_outsiders if external_people is None else external_people)
    diff = {}
    for name, before, after in (("attendees", current_members, members), ("counsel", current_counsel, new_counsel),
                                ("external_attendees", current_outsiders, outsiders)):
        before_ids, after_ids = sorted(p.pk for p in before), sorted(p.pk for p in after)
        if before_ids != after_ids:
            diff[name] = [before_ids, after_ids]
    if not diff:
        return None
    return {"members": (members, new_counsel), "outsiders": outsiders, "diff": diff}


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value, HONG_KONG).isoformat()  # one zone, so before/after compare
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
