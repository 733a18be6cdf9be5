"""A feed's bytes, within its budget (50 ms for a person's year, docs/calendar.md).

A busy partner's feed holds ~2,800 events (a year back, a year ahead). A fetch first reads
only each event's version (a light query: id, SEQUENCE, LAST-MODIFIED, the case's
reference and number, and what its reminders depend on), and then:

1. the feed's cache entry (one per feed and language, ``feed_key``) holds the same
   versions and none of its alarms has passed since: its document is the answer (one
   cache read, no reminder arithmetic);
2. else each event's reminders still to come are worked out, the VEVENTs of events whose
   version and reminders are unchanged are taken from the cached document, and only the
   others are read in full (one more query) and written;
3. with nothing cached, every event is read (times as epoch numbers: Django's time zone
   aware loader costs ~10 µs a value) and written as text by ``vevent_text`` (~20–40 µs an
   event; ``icalendar`` took 0.6–0.9 ms).

One entry per feed, not one per event: reading and writing 2,800 keys took 75–120 ms by
itself. Nothing is ever invalidated: a change to an event bumps its SEQUENCE and
LAST-MODIFIED (``event_update`` does; anything that changes an event must, or subscribers
would not notice it either), and the entry says until when its alarms hold. The cache
only saves time: if it fails, everything is rendered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.db.models import FloatField, Func, QuerySet
from django.utils import translation

from calendar_sync.feeds import ics, vevent_text
from calendar_sync.models import Event
from cases.models import Case

log = logging.getLogger(__name__)

CACHE_PREFIX = "ics:v3:"  # change it whenever what ics.py or vevent_text.py write changes, or old bytes are served
CACHE_SECONDS = 7 * 24 * 3600
VERSION_FIELDS = ("pk", "sequence", "updated", "begins", "kind", "status", "is_done", "all_day", "case_id",
                  "case__reference", "case__case_number", "reminder_offsets_minutes")
ROW_FIELDS = ("pk", "uid", "sequence", "kind", "status", "title", "all_day", "court", "courtroom", "location",
              "rrule", "exdates", "case_id", "case__reference", "case__case_number", "begins", "ends", "created",
              "updated")
# A reminder rings at most 8 hours after its event's start (an all-day event's "morning of"):
# an event begun more than a day ago has none left to ring, whatever its offsets.
NO_REMINDERS_AFTER = timedelta(days=1).total_seconds()
_BEGIN = b"\r\nBEGIN:VEVENT\r\n"


class Epoch(Func):
    """Seconds since 1970 as a float: read by psycopg in C, no time zone work per value."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
    output_field = FloatField()


def feed_bytes(events: QuerySet[Event], *, name: str, offsets: Sequence[int],
               url_for_case: Callable[[int], str | None], now: datetime, feed_key: str = "") -> bytes:
    """The feed of ``events`` (a queryset, in order), as RFC 5545 bytes. ``feed_key`` names
    the feed (its token) for the cache; without one, nothing is cached."""
    key = f"{CACHE_PREFIX}feed:{feed_key}:{translation.get_language() or ''}"
    offsets = tuple(offsets)
    versions = _versions(events, url_for_case=url_for_case)
    cached = _cache_get_many([key]).get(key) if feed_key else None
    known, still_due = {}, {}
    if isinstance(cached, tuple) and len(cached) == 6:  # anything else: not ours, or an older layout
        cached_name, cached_offsets, cached_versions, cached_triggers, valid_until, cached_document = cached
        same_feed = cached_name == name and cached_offsets == offsets
        if same_feed and cached_versions == versions and now.timestamp() < valid_until:
            return cached_document
        parts = split_vevents(cached_document)
        if same_feed and len(parts) == len(cached_versions) == len(cached_triggers):
            known = dict(zip(zip(cached_versions, cached_triggers, strict=True), parts, strict=True))
            if now.timestamp() < valid_until:  # no alarm has passed: an unchanged event's are as cached
                still_due = dict(zip(cached_versions, cached_triggers, strict=True))
    facts = [(version, still_due[version] if version in still_due else _triggers(version, offsets, now))
             for version in versions]
    rendered = _render(events, [item for item in facts if item not in known])
    kept = [(item, known.get(item) or rendered[item]) for item in facts if item in known or item in rendered]
    document = ics.feed_document(name=name, vevents=[vevent for _item, vevent in kept])
    if feed_key:
        # Kept until an event changes or the first of its alarms passes (the VEVENT loses it).
        valid_until = min((version[VERSION_BEGINS] + seconds for (version, triggers), _v in kept
                           for seconds in triggers), default=float("inf"))
        _cache_set_many({key: (name, offsets, [version for (version, _t), _v in kept],
                               [triggers for (_version, triggers), _v in kept], valid_until, document)})
    return document


def split_vevents(document: bytes) -> list[bytes]:
    """The VEVENTs of a feed document, each as ``vevent_bytes`` wrote it. A line that is just
    BEGIN:VEVENT starts one: TEXT values escape line breaks, folded lines begin with a space."""
    body = document.removesuffix(ics._END)
    first = body.find(_BEGIN)
    if first < 0 or len(body) == len(document):
        return []
    pieces = body[first:].split(_BEGIN)[1:]
    return [b"BEGIN:VEVENT\r\n" + piece + b"\r\n" for piece in pieces[:-1]] + [b"BEGIN:VEVENT\r\n" + pieces[-1]]


VERSION_BEGINS = 10  # where the start (epoch seconds) is in a version


def _versions(events: QuerySet[Event], *, url_for_case) -> list[tuple]:
    """Per event, all a VEVENT depends on that can change, except the passing of time: id,
    SEQUENCE, LAST-MODIFIED, case reference and number, the case's URL, and what decides its
    reminders (kind, status, done, all day, start, its own offsets)."""
    rows = events.annotate(updated=Epoch("updated_at"), begins=Epoch("start")).values_list(*VERSION_FIELDS)
    return [(pk, sequence, updated, reference, number, url_for_case(case_id) if case_id else None, kind, status,
             is_done, all_day, begins, None if own is None else tuple(own))
            for pk, sequence, updated, begins, kind, status, is_done, all_day, case_id, reference, number, own in rows]


def _triggers(version: tuple, offsets: tuple, now: datetime) -> tuple[int, ...]:
    """The event's reminders still to come, in seconds from its start."""
    _pk, _sequence, _updated, _reference, _number, _url, kind, status, is_done, all_day, begins, own = version
    if begins <= now.timestamp() - NO_REMINDERS_AFTER or kind not in ics.REMINDED_KINDS:
        return ()
    return tuple(int(t.total_seconds()) for t in ics.triggers_for(
        kind=kind, status=status, is_done=is_done, all_day=all_day, start=datetime.fromtimestamp(begins, UTC),
        now=now, offsets=offsets if own is None else own))


def _render(events: QuerySet[Event], wanted: list[tuple]) -> dict[tuple, bytes]:
    """VEVENT bytes of the events ``wanted`` ((version, triggers) each), read in one query."""
    if not wanted:
        return {}
    by_pk = {version[0]: (version, triggers) for version, triggers in wanted}
    # A few: by id alone (the versions' query has just found them visible; row-level
    # security still binds); many: the feed's own query, whose plan is made for that.
    rows = events.model.objects.filter(pk__in=list(by_pk)) if len(by_pk) < 500 else events
    rows = rows.annotate(begins=Epoch("start"), ends=Epoch("end"), created=Epoch("created_at"),
                         updated=Epoch("updated_at")).values_list(*ROW_FIELDS)
    rendered = {}
    for values in rows:
        item = by_pk.get(values[0])
        if item is None:
            continue
        version, triggers = item
        rendered[item] = vevent_text.vevent_bytes(_event(values), triggers=[timedelta(seconds=s) for s in triggers],
                                                  url=version[5])
    return rendered


class Row:
    """What a VEVENT shows of an event, without making a model instance (3× the time)."""

    __slots__ = ("pk", "uid", "sequence", "kind", "status", "title", "all_day", "court", "courtroom", "location",
                 "rrule", "exdates", "case_id", "case", "start", "end", "created_at", "updated_at")


class CaseRow:
    __slots__ = ("pk", "reference", "case_number")


def _event(values: tuple):
    (pk, uid, sequence, kind, status, title, all_day, court, courtroom, location, rrule, exdates, case_id,
     reference, number, begins, ends, created, updated) = values
    moments = {"start": datetime.fromtimestamp(begins, UTC), "end": datetime.fromtimestamp(ends, UTC),
               "created_at": datetime.fromtimestamp(created, UTC), "updated_at": datetime.fromtimestamp(updated, UTC)}
    case = None
    if rrule:  # built by ics.vevent: a real model instance, whatever it reads
        event = Event(pk=pk, uid=uid, sequence=sequence, kind=kind, status=status, title=title, all_day=all_day,
                      court=court, courtroom=courtroom, location=location, rrule=rrule, exdates=exdates,
                      case_id=case_id, **moments)
        if case_id:
            event.case = Case(pk=case_id, reference=reference, case_number=number)
        return event
    event = Row()
    (event.pk, event.uid, event.sequence, event.kind, event.status, event.title, event.all_day, event.court,
     event.courtroom, event.location, event.rrule, event.exdates, event.case_id) = (
        pk, uid, sequence, kind, status, title, all_day, court, courtroom, location, rrule, exdates, case_id)
    if case_id:
        case = CaseRow()
        case.pk, case.reference, case.case_number = case_id, reference, number
    event.case = case
    event.start, event.end, event.created_at, event.updated_at = (
        moments["start"], moments["end"], moments["created_at"], moments["updated_at"])
    return event


def _cache_get_many(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:  # noqa: BLE001 - any cache failure means "render it"
        log.warning("ICS cache unavailable; rendering every event", exc_info=True)
        return {}


def _cache_set_many(values: dict) -> None:
    try:
        cache.set_many(values, timeout=CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        log.warning("ICS cache unavailable; rendered events not kept", exc_info=True)
