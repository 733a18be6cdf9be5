"""Which events a range of the calendar finds (calendar_sync.selectors.calendar_range): the
query is split into index-friendly parts (begun at most a day before the range, longer ones
found by their length, repeating ones), and every kind of overlap must still be found."""

from datetime import datetime, timedelta

import pytest

from calendar_sync.selectors import CalendarFilters, calendar_range
from tests.calendar_sync.test_events import HK, at, make

MARCH = (datetime(2026, 3, 1, tzinfo=HK), datetime(2026, 4, 1, tzinfo=HK))


def titles(world, role="associate", *, start=MARCH[0], end=MARCH[1], with_people=True, **filters) -> list[str]:
    membership = world.members[role]
    with world.scope():
        found = calendar_range(membership, CalendarFilters(**(filters or {"person": membership.pk})), start, end,
                               with_people=with_people)
    return sorted({o.title for o in found})


@pytest.mark.parametrize("with_people", [True, False])
def test_every_kind_of_overlap_is_found_and_nothing_else(firm_a, with_people):
    make(firm_a, title="Inside", start=at(10, 9), end=at(10, 10))
    make(firm_a, title="Over the start, short", start=at(28, 20, month=2), end=at(1, 2))
    make(firm_a, title="Over the start, 20 hours", start=datetime(2026, 2, 28, 9, tzinfo=HK), end=at(1, 5))
    make(firm_a, title="Three weeks from February", kind="leave", all_day=True, start=at(15, 0, month=2),
         end=at(8, 0))
    make(firm_a, title="Over the whole month", kind="leave", all_day=True, start=at(20, 0, month=2),
         end=at(5, 0, month=4))
    make(firm_a, title="Over the end", start=at(31, 23), end=at(1, 2, month=4))
    make(firm_a, title="No length, at the start", start=at(1, 0), end=at(1, 0))
    make(firm_a, title="Weekly since last year", rrule="FREQ=WEEKLY;BYDAY=MO",
         start=datetime(2025, 1, 6, 9, tzinfo=HK), end=datetime(2025, 1, 6, 10, tzinfo=HK))
    make(firm_a, title="Ended just before", start=at(27, 9, month=2), end=at(1, 0))
    make(firm_a, title="Long, ended before", kind="leave", all_day=True, start=at(1, 0, month=2),
         end=at(20, 0, month=2))
    make(firm_a, title="After", start=at(1, 9, month=4), end=at(1, 10, month=4))
    assert titles(firm_a, with_people=with_people) == sorted([
        "Inside", "Over the start, short", "Over the start, 20 hours", "Three weeks from February",
        "Over the whole month", "Over the end", "No length, at the start", "Weekly since last year"])


def test_a_team_calendar_finds_a_long_event_of_a_team_member(firm_a):
    make(firm_a, title="Trial, four weeks", kind="hearing", start=at(16, 10, month=2), end=at(13, 17))
    team = CalendarFilters(team=firm_a.team.pk)
    with firm_a.scope():
        found = calendar_range(firm_a.members["partner"], team, *MARCH, with_people=False)
    assert [o.title for o in found] == ["Trial, four weeks"]
    assert found[0].people == []  # the grids need no attendees


def test_a_day_view_finds_what_began_the_day_before(firm_a):
    make(firm_a, title="Overnight", start=at(9, 22), end=at(10, 1))
    day = (datetime(2026, 3, 10, tzinfo=HK), datetime(2026, 3, 10, tzinfo=HK) + timedelta(days=1))
    assert titles(firm_a, start=day[0], end=day[1]) == ["Overnight"]
