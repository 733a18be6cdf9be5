"""A feed's bytes, within its budget (50 ms for a person's year, docs/calendar.md).

icalendar takes ~0.3 ms to serialise one VEVENT, and Django spends more than that making
model instances of a few hundred events. So a fetch first reads only each event's version
(a light query: id, SEQUENCE, LAST-MODIFIED and what reminders depend on), and then:

1. the whole document is in the cache under a digest of those versions: done;
2. else each VEVENT is, under its own digest; only the missing events are read in full
   (one more query) and rendered.

Nothing is ever invalidated: a change to an event bumps its SEQUENCE and LAST-MODIFIED
(``event_update`` does; anything that changes an event must, or subscribers would not
notice it either), and reminders that have passed drop out of the digest by themselves.
The cache only saves time: if it fails, everything is rendered.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import translation

from calendar_sync.feeds import ics
from calendar_sync.models import Event

log = logging.getLogger(__name__)

CACHE_PREFIX = "ics:v1:"  # change it whenever what ics.py writes changes, or old bytes are served
CACHE_SECONDS = 7 * 24 * 3600
VERSION_FIELDS = ("pk", "sequence", "updated_at", "start", "kind", "status", "is_done", "all_day", "case_id",
                  "case__reference", "case__case_number", "reminder_offsets_minutes")


def feed_bytes(events: QuerySet[Event], *, name: str, offsets: Sequence[int],
               url_for_case: Callable[[int], str | None], now: datetime) -> bytes:
    """The feed of ``events`` (a queryset, in order), as RFC 5545 bytes."""
    language = translation.get_language() or ""
    versions = []
    for row in events.values_list(*VERSION_FIELDS, named=True):
        triggers = ics.triggers_for(kind=row.kind, status=row.status, is_done=row.is_done, all_day=row.all_day,
                                    start=row.start, now=now, offsets=offsets if row.reminder_offsets_minutes is None
                                    else row.reminder_offsets_minutes)
        url = url_for_case(row.case_id) if row.case_id else None
        facts = (row.pk, row.sequence, row.updated_at.timestamp(), row.case__reference, row.case__case_number,
                 tuple(int(t.total_seconds()) for t in triggers), url, language)
        versions.append((_digest(facts), row.pk, triggers, url))
    document_key = _digest((name, *(key for key, *_rest in versions)))
    document = _cache_get(document_key)
    if document is None:
        document = ics.feed_document(name=name, vevents=_vevents(events, versions))
        _cache_set_many({document_key: document})
    return document


def _vevents(events: QuerySet[Event], versions: list) -> list[bytes]:
    cached = _cache_get_many([key for key, *_rest in versions])
    missing = [(key, pk, triggers, url) for key, pk, triggers, url in versions if key not in cached]
    if missing:
        full = events.model.objects.select_related("case").in_bulk([pk for _key, pk, *_rest in missing])
        rendered = {key: ics.vevent(full[pk], triggers=triggers, url=url).to_ical()
                    for key, pk, triggers, url in missing if pk in full}
        _cache_set_many(rendered)
        cached.update(rendered)
    return [cached[key] for key, *_rest in versions if key in cached]


def _digest(facts: tuple) -> str:
    return CACHE_PREFIX + hashlib.blake2b(repr(facts).encode(), digest_size=20).hexdigest()


def _cache_get(key: str):
    return _cache_get_many([key]).get(key)


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
