"""Reads of the calendar that pages, the API and other parts of the product share."""

from calendar_sync.selectors.conflicts import (
    Candidate,
    Conflict,
    describe_conflicts,
    find_conflicts,
)
from calendar_sync.selectors.events import (
    CalendarFilters,
    Occurrence,
    calendar_events,
    calendar_range,
    event_for_member,
    events_for_case,
    events_visible_to,
    may_change_event,
    shows_details,
)

__all__ = [
    "CalendarFilters",
    "Candidate",
    "Conflict",
    "Occurrence",
    "calendar_events",
    "calendar_range",
    "describe_conflicts",
    "event_for_member",
    "events_for_case",
    "events_visible_to",
    "find_conflicts",
    "may_change_event",
    "shows_details",
]
