"""Dates as people read them, for messages built in Python (conflicts, repeat rules).

Templates use ``includes/date.html``; this gives the same text: ``Fri 27 Feb 2026`` and
``2026年2月27日（星期五）``, in Hong Kong time.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import get_language


def human_date(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    if (get_language() or "").lower().startswith("zh"):
        return f"{date_format(value, 'Y年n月j日')}（{date_format(value, 'l')}）"
    return date_format(value, "D j M Y")


def human_moment(value: datetime, *, all_day: bool = False) -> str:
    """``Fri 27 Feb 2026 09:30`` (or the date alone for an all-day event)."""
    if all_day:
        return human_date(value)
    return f"{human_date(value)} {date_format(timezone.localtime(value), 'H:i')}"
