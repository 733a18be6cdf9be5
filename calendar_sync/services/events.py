"""Creating, changing and cancelling events. Every change bumps the RFC 5545 SEQUENCE,
writes its audit entry (with the case id, for the timeline) and, after commit, queues the
push to the attendees' own CalDAV calendars (calendar_sync.sync)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from calendar_sync.models import Event, EventAttendee
from config.errors import ValidationFailed
from firms.models import Membership

HONG_KONG = timezone.get_default_timezone()  # settings.TIME_ZONE = Asia/Hong_Kong
EVENT_FIELDS = ("kind", "title", "case", "status", "all_day", "start", "end", "court", "courtroom",
                "location", "notes", "rrule")


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


def _clean(fields: dict) -> dict:
    errors = {}
    fields["title"] = (fields.get("title") or "").strip()
    if not fields["title"]:
        errors["title"] = [_("Enter a title.")]
    if fields.get("kind") not in Event.Kind.values:
        errors["kind"] = [_("Choose a kind of event from the list.")]
    start, end = fields.get("start"), fields.get("end")
    if start is None:
        errors["start"] = [_("Enter when it starts.")]
    elif end is not None and end < start:
        errors["end"] = [_("The end must be after the start.")]
    if fields.get("rrule") and fields.get("kind") != Event.Kind.INTERNAL:
        errors["rrule"] = [_("Only internal events can repeat.")]
    if errors:
        raise ValidationFailed(_("The event could not be saved; see the fields marked."), fields=errors)
    if fields.get("end") is None:
        fields["end"] = start + (timedelta(days=1) if fields.get("all_day") else timedelta(hours=1))
    return fields


@transaction.atomic
def event_create(*, owner: Membership, attendees: list[Membership] | None = None, **fields) -> Event:
    unknown = set(fields) - set(EVENT_FIELDS) - {"rule", "trigger_date", "computed_date", "computation",
                                                  "override_reason", "source", "source_uid",
                                                  "accepted_conflicts"}
    if unknown:
        raise ValidationFailed(_("Unknown event details: %(f)s") % {"f": ", ".join(sorted(unknown))})
    fields = _clean({"status": Event.Status.CONFIRMED, **fields})
    event = Event.objects.create(firm_id=owner.firm_id, owner=owner, uid=new_uid(), **fields)
    for person in {owner, *(attendees or [])}:
        EventAttendee.objects.create(firm_id=owner.firm_id, event=event, membership=person)
    _audit(event, "event.create", {"start": [None, event.start.isoformat()], "title": [None, event.title]})
    queue_sync(event)
    return event


@transaction.atomic
def event_update(*, event: Event, membership: Membership, **changes) -> Event:
    unknown = set(changes) - set(EVENT_FIELDS) - {"override_reason", "accepted_conflicts", "is_done"}
    if unknown:
        raise ValidationFailed(_("Unknown event details: %(f)s") % {"f": ", ".join(sorted(unknown))})
    event = Event.objects.select_for_update().get(pk=event.pk)
    merged = _clean({field: changes.get(field, getattr(event, field)) for field in EVENT_FIELDS})
    diff = {}
    for field in changes:
        value = merged.get(field, changes[field])
        before = getattr(event, field)
        if before != value:
            diff[field] = [_plain(before), _plain(value)]
            setattr(event, field, value)
    if not diff:
        return event
    event.sequence += 1
    event.updated_at = timezone.now()
    event.save()
    _audit(event, "event.update", diff)
    queue_sync(event)
    return event


@transaction.atomic
def event_cancel(*, event: Event, membership: Membership) -> Event:
    """Cancelled, not deleted: calendars that subscribed must hear STATUS:CANCELLED."""
    return event_update(event=event, membership=membership, status=Event.Status.CANCELLED)


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
