"""Laying occurrences out as a month grid, a week or day of hour rows, or a list by day.

Pure arithmetic on dates (no queries): the view picks the range with ``span_for``, the
selector fetches it once, and one of the ``*_layout`` functions arranges it.
"""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import get_language

from calendar_sync.selectors.display import human_date
from calendar_sync.selectors.events import Occurrence

HONG_KONG = timezone.get_default_timezone()
VIEWS = ("month", "week", "day", "list")
LIST_DAYS = 28
MONTH_CELL_SHOWS = 3  # then "+2 more", a link to the day
FIRST_HOUR, LAST_HOUR = 8, 19  # the hours a week shows unless its events need more


def is_chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


@dataclass(frozen=True)
class Span:
    view: str
    anchor: date
    first: date   # first day shown
    last: date    # last day shown
    previous: date
    next: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=HONG_KONG)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=HONG_KONG)


def span_for(view: str, anchor: date) -> Span:
    if view == "month":
        first_of_month = anchor.replace(day=1)
        days = pycalendar.monthrange(anchor.year, anchor.month)[1]
        first = first_of_month - timedelta(days=first_of_month.weekday())
        last_of_month = first_of_month.replace(day=days)
        last = last_of_month + timedelta(days=6 - last_of_month.weekday())
        return Span(view, anchor, first, last, _add_months(anchor, -1), _add_months(anchor, 1))
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return Span(view, anchor, first, first + timedelta(days=6), anchor - timedelta(days=7),
                    anchor + timedelta(days=7))
    if view == "day":
        return Span(view, anchor, anchor, anchor, anchor - timedelta(days=1), anchor + timedelta(days=1))
    return Span("list", anchor, anchor, anchor + timedelta(days=LIST_DAYS - 1), anchor - timedelta(days=LIST_DAYS),
                anchor + timedelta(days=LIST_DAYS))


def _add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, pycalendar.monthrange(year, month + 1)[1]))


def title_for(span: Span) -> str:
    """"February 2026", "23 Feb – 1 Mar 2026", "Fri 27 Feb 2026" (and in Chinese)."""
    zh = is_chinese()
    if span.view == "month":
        return date_format(span.anchor, "Y年n月" if zh else "F Y")
    if span.view == "day":
        return human_date(span.anchor)
    first, last = span.first, span.last
    if zh:
        end = date_format(last, "n月j日" if first.year == last.year else "Y年n月j日")
        return f"{date_format(first, 'Y年n月j日')}至{end}"
    if first.year != last.year:
        return f"{date_format(first, 'j M Y')} – {date_format(last, 'j M Y')}"
    if first.month != last.month:
        return f"{date_format(first, 'j M')} – {date_format(last, 'j M Y')}"
    return f"{date_format(first, 'j')} – {date_format(last, 'j M Y')}"


def weekday_short(day: date) -> str:
    """"Mon" or "一"."""
    return date_format(day, "D")[-1] if is_chinese() else date_format(day, "D")


def day_label(day: date) -> str:
    """A column heading: "Mon 23" or "23日（一）"."""
    if is_chinese():
        return f"{day.day}日（{weekday_short(day)}）"
    return f"{weekday_short(day)} {day.day}"


# --- Month ---------------------------------------------------------------------------------


@dataclass
class Day:
    date: date
    occurrences: list[Occurrence] = field(default_factory=list)
    in_month: bool = True
    is_today: bool = False

    @property
    def shown(self) -> list[Occurrence]:
        return self.occurrences[:MONTH_CELL_SHOWS]

    @property
    def more(self) -> int:
        return max(0, len(self.occurrences) - MONTH_CELL_SHOWS)

    @property
    def label(self) -> str:
        return day_label(self.date)

    @property
    def weekday(self) -> str:
        return weekday_short(self.date)

    @property
    def long_label(self) -> str:
        return human_date(self.date)


def _days(span: Span, occurrences: list[Occurrence]) -> list[Day]:
    today = timezone.localdate()
    days = {}
    current = span.first
    while current <= span.last:
        days[current] = Day(current, in_month=span.view != "month" or current.month == span.anchor.month,
                            is_today=current == today)
        current += timedelta(days=1)
    for occurrence in occurrences:
        current = max(occurrence.first_day, span.first)
        while current <= min(occurrence.last_day, span.last):
            days[current].occurrences.append(occurrence)
            current += timedelta(days=1)
    return list(days.values())


def month_layout(span: Span, occurrences: list[Occurrence]) -> dict:
    days = _days(span, occurrences)
    weeks = [days[i:i + 7] for i in range(0, len(days), 7)]
    return {"weeks": weeks, "weekdays": [weekday_short(d.date) for d in weeks[0]]}


# --- Week and day: hour rows ---------------------------------------------------------------


@dataclass
class Placed:
    """A timed occurrence in a day column: minutes from the top, length, lane of lanes."""

    occurrence: Occurrence
    top: int
    length: int
    lane: int = 0
    lanes: int = 1


@dataclass
class Column:
    day: Day
    all_day: list[Occurrence]
    timed: list[Placed]


def time_grid_layout(span: Span, occurrences: list[Occurrence]) -> dict:
    days = _days(span, occurrences)
    first_hour, last_hour = _hours(occurrences)
    columns = []
    for day in days:
        all_day = [o for o in day.occurrences if o.spans_days]
        timed = [o for o in day.occurrences if not o.spans_days]
        columns.append(Column(day, all_day, _lanes(timed, first_hour, last_hour)))
    return {
        "columns": columns,
        "hours": [f"{hour:02d}:00" for hour in range(first_hour, last_hour)],
        "hour_count": last_hour - first_hour,
        "has_all_day": any(c.all_day for c in columns),
    }


def _hours(occurrences: list[Occurrence]) -> tuple[int, int]:
    first, last = FIRST_HOUR, LAST_HOUR
    for occurrence in occurrences:
        if occurrence.spans_days:
            continue
        start, end = timezone.localtime(occurrence.start), timezone.localtime(occurrence.end)
        first = min(first, start.hour)
        last = max(last, end.hour + (1 if end.minute or end.hour == start.hour else 0))
    return first, min(last, 24)


def _lanes(timed: list[Occurrence], first_hour: int, last_hour: int) -> list[Placed]:
    """Side by side where they overlap: greedy lanes within each cluster of overlapping events."""
    placed: list[Placed] = []
    cluster: list[Placed] = []
    lane_ends: list[int] = []
    cluster_end = -1
    for occurrence in sorted(timed, key=lambda o: (o.start, o.end)):
        local = timezone.localtime(occurrence.start)
        top = (local.hour - first_hour) * 60 + local.minute
        length = max(int((occurrence.end - occurrence.start).total_seconds() // 60), 0)
        length = min(length, (last_hour - first_hour) * 60 - top)
        shown_end = top + max(length, 30)  # short events still take room for a line of text
        if top >= cluster_end:
            _close(cluster, len(lane_ends))
            cluster, lane_ends = [], []
        lane = next((i for i, end in enumerate(lane_ends) if end <= top), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(shown_end)
        else:
            lane_ends[lane] = shown_end
        item = Placed(occurrence, top, length, lane)
        cluster.append(item)
        placed.append(item)
        cluster_end = max(cluster_end, shown_end)
    _close(cluster, len(lane_ends))
    return placed


def _close(cluster: list[Placed], lanes: int) -> None:
    for item in cluster:
        item.lanes = max(lanes, 1)


# --- List ----------------------------------------------------------------------------------


def list_layout(span: Span, occurrences: list[Occurrence]) -> dict:
    return {"days": [day for day in _days(span, occurrences) if day.occurrences]}
