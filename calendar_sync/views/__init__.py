"""The calendar's pages: the calendar itself, events, and ICS import."""

from calendar_sync.views.calendar_page import calendar_page
from calendar_sync.views.event_pages import (
    event_cancel_view,
    event_check,
    event_detail_page,
    event_edit_page,
    event_new_page,
)
from calendar_sync.views.import_page import import_page

__all__ = [
    "calendar_page",
    "event_cancel_view",
    "event_check",
    "event_detail_page",
    "event_edit_page",
    "event_new_page",
    "import_page",
]
