"""Occurrences left out of a repeating event (Event.exdates, RFC 5545 EXDATE): kept by the ICS
import (EXDATEs, and the original start of each occurrence the file moves), left out of the
calendar, the API and the conflict check, moved with the series, and sent out again as
EXDATE in feeds and CalDAV objects."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from audit.models import AuditEntry
from calendar_sync.caldav_push.services import _document
from calendar_sync.ics_import import MalformedCalendar
from calendar_sync.models import CalDAVConnection, Event
from calendar_sync.selectors import CalendarFilters
from calendar_sync.selectors.events import calendar_range
from calendar_sync.selectors.recurrence import occurrences
from calendar_sync.services.events import ConflictsFound
from tests.calendar_sync.test_events import EVENTS, HK, as_member, at, count_events, make
from tests.calendar_sync.test_feeds import feed_url_of, fetch, parsed, vevents
from tests.calendar_sync.test_ics_import import imported, run
from tests.calendar_sync.test_reminder_offsets import change

SERIES = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Chambers//Diary//EN
BEGIN:VEVENT
UID:seminar@chambers
SUMMARY:Pupils' seminar
DTSTART;TZID=Asia/Hong_Kong:20260304T180000
DTEND;TZID=Asia/Hong_Kong:20260304T190000
RRULE:FREQ=WEEKLY;COUNT=5
EXDATE;TZID=Asia/Hong_Kong:20260311T180000,20260318T180000
EXDATE:20260325T100000Z
END:VEVENT
BEGIN:VEVENT
UID:reading@chambers
SUMMARY:Reading week
DTSTART;VALUE=DATE:20260302
DTEND;VALUE=DATE:20260303
RRULE:FREQ=DAILY;COUNT=5
EXDATE;VALUE=DATE:20260304
END:VEVENT
BEGIN:VEVENT
UID:call@chambers
SUMMARY:Morning call
DTSTART;TZID=Asia/Hong_Kong:20260302T083000
DTEND;TZID=Asia/Hong_Kong:20260302T090000
RRULE:FREQ=DAILY;COUNT=3
EXDATE;VALUE=DATE:20260303
END:VEVENT
END:VCALENDAR
"""


def ics(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


def starts(world, title: str, first: date, last: date) -> list[datetime]:
    """The occurrences the calendar pages show between two days (inclusive)."""
    window = (datetime.combine(first, datetime.min.time(), tzinfo=HK),
              datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=HK))
    with world.scope():
        shown = calendar_range(world.members["associate"], CalendarFilters(person=world.members["associate"].pk),
                               *window)
    return [o.start for o in shown if o.event.title == title]


# --- The import keeps them --------------------------------------------------------------------------


def test_exdates_are_imported_in_hong_kong_time_and_left_out_of_the_calendar(firm_a):
    result = run(firm_a, data=ics(SERIES))
    events = imported(firm_a)
    assert len(result.created) == 3 and result.warnings == []
    assert events["Pupils' seminar"].exdates == [at(11, 18), at(18, 18), at(25, 18)]
    # COUNT=5 counts the left-out ones too (RFC 5545): 4 March and 1 April remain.
    assert starts(firm_a, "Pupils' seminar", date(2026, 3, 1), date(2026, 4, 30)) == [at(4, 18), datetime(
        2026, 4, 1, 18, tzinfo=HK)]
    assert events["Reading week"].exdates == [at(4, 0)]
    assert starts(firm_a, "Reading week", date(2026, 3, 1), date(2026, 3, 31)) == [
        at(2, 0), at(3, 0), at(5, 0), at(6, 0)]
    # A date alone for a timed series: the series' time that day.
    assert events["Morning call"].exdates == [at(3, 8, 30)]
    assert starts(firm_a, "Morning call", date(2026, 3, 1), date(2026, 3, 31)) == [at(2, 8, 30), at(4, 8, 30)]


def test_an_occurrence_the_file_moves_is_left_out_of_its_series(firm_a):
    run(firm_a)  # the diary: the seminar of 11 March moved to the 12th (RECURRENCE-ID)
    events = imported(firm_a)
    assert events["Pupils' seminar"].exdates == [at(11, 18)]
    assert starts(firm_a, "Pupils' seminar", date(2026, 3, 1), date(2026, 3, 31)) == [at(4, 18), at(18, 18),
                                                                                      at(25, 18)]
    assert starts(firm_a, "Pupils' seminar (moved)", date(2026, 3, 1), date(2026, 3, 31)) == [at(12, 18)]


def test_extra_dates_are_not_kept_and_the_summary_says_so(firm_a):
    result = run(firm_a, data=ics(SERIES.replace("EXDATE:20260325T100000Z", "RDATE:20260326T100000Z")))
    assert result.warnings == ["1 repeating event(s) had extra dates (RDATE) that were not imported: check those "
                               "series."]
    assert imported(firm_a)["Pupils' seminar"].exdates == [at(11, 18), at(18, 18)]


def test_exdates_of_an_event_that_does_not_repeat_are_ignored(firm_a):
    data = SERIES.replace("RRULE:FREQ=WEEKLY;COUNT=5\n", "")
    run(firm_a, data=ics(data))
    assert imported(firm_a)["Pupils' seminar"].exdates == []


@pytest.mark.parametrize(("exdate", "problem"), [
    ("EXDATE:not-a-date", "EXDATE"),
    ("EXDATE:" + ",".join(f"{day:%Y%m%d}T100000Z" for day in
                          (date(2026, 3, 4) + timedelta(days=7 * n) for n in range(1001))), "more than 1000"),
])
def test_a_bad_or_endless_exdate_refuses_the_file_and_saves_nothing(firm_a, exdate, problem):
    data = SERIES.replace("RRULE:FREQ=WEEKLY;COUNT=5", "RRULE:FREQ=WEEKLY").replace(
        "EXDATE:20260325T100000Z", exdate)
    with pytest.raises(MalformedCalendar) as refused:
        run(firm_a, data=ics(data))
    assert problem in str(refused.value.message)
    assert "Event 1 (“Pupils' seminar”)" in str(refused.value.message)
    assert count_events(firm_a) == 0
    with firm_a.scope():
        assert not AuditEntry.objects.filter(action__in=["event.create", "event.import"]).exists()


# --- Expansion, the API and conflicts -------------------------------------------------------------------


def test_expansion_leaves_exdates_out_and_a_count_counts_them():
    found = occurrences(start=at(2, 9), end=at(2, 10), rrule_text="FREQ=DAILY;COUNT=4",
                        window_start=at(1), window_end=at(31), exdates=[at(3, 9), at(4, 1, 0)])
    assert [s for s, _e in found] == [at(2, 9), at(4, 9), at(5, 9)]  # 4 March 01:00 is no occurrence
    utc = at(3, 9).astimezone(UTC)  # stored in UTC, compared in Hong Kong
    assert [s for s, _e in occurrences(start=at(2, 9), end=at(2, 10), rrule_text="FREQ=DAILY;COUNT=2",
                                       window_start=at(1), window_end=at(31), exdates=[utc])] == [at(2, 9)]


def test_the_api_shows_the_exdates_and_lists_only_the_occurrences_left(api_client, firm_a):
    event = make(firm_a, title="Weekly", start=at(2, 9), end=at(2, 10), rrule="FREQ=WEEKLY;COUNT=3",
                 exdates=[at(9, 9)])
    response = as_member(api_client, firm_a).get(EVENTS, {"start": "2026-03-01", "end": "2026-03-31"})
    [shown] = [e for e in response.json()["results"] if e["id"] == event.pk]
    assert shown["exdates"] == ["2026-03-09T09:00:00+08:00"]
    assert [o["start"] for o in shown["occurrences"]] == ["2026-03-02T09:00:00+08:00", "2026-03-16T09:00:00+08:00"]


def test_a_left_out_occurrence_clashes_with_nothing(firm_a):
    make(firm_a, title="Weekly", start=at(2, 9), end=at(2, 10), rrule="FREQ=WEEKLY", exdates=[at(9, 9)])
    assert make(firm_a, title="Instead", start=at(9, 9), end=at(9, 10), check_conflicts=True).pk
    with pytest.raises(ConflictsFound):
        make(firm_a, title="Clash", start=at(16, 9), end=at(16, 10), check_conflicts=True)


# --- Changes to the series ----------------------------------------------------------------------------------


def test_moving_a_series_moves_its_exdates_and_ending_the_repeats_drops_them(firm_a):
    event = make(firm_a, title="Weekly", start=at(2, 9), end=at(2, 10), rrule="FREQ=WEEKLY", exdates=[at(9, 9)])
    moved = change(firm_a, event, start=at(2, 11), end=at(2, 12))
    assert moved.exdates == [at(9, 11)]
    assert starts(firm_a, "Weekly", date(2026, 3, 1), date(2026, 3, 20)) == [at(2, 11), at(16, 11)]
    with firm_a.scope():
        entry = AuditEntry.objects.filter(action="event.update", object_id=str(event.pk)).latest("seq")
    assert entry.changes["exdates"] == [["2026-03-09T09:00:00+08:00"], ["2026-03-09T11:00:00+08:00"]]

    single = change(firm_a, moved, rrule="")
    assert single.exdates == []
    with firm_a.scope():
        assert Event.objects.get(pk=event.pk).exdates == []


def test_exdates_of_an_event_made_without_a_rule_are_not_kept(firm_a):
    assert make(firm_a, exdates=[at(9, 9)]).exdates == []


# --- Sent out as EXDATE ----------------------------------------------------------------------------------


def test_the_feed_and_the_caldav_object_carry_the_exdates(client, api_client, firm_a):
    today = timezone.localdate()
    first = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=HK).replace(hour=9)
    timed = make(firm_a, title="Weekly", start=first, end=first + timedelta(hours=1), rrule="FREQ=WEEKLY",
                 exdates=[first + timedelta(days=7), first + timedelta(days=21)])
    day = first.replace(hour=0)
    all_day = make(firm_a, title="Daily", all_day=True, start=day, rrule="FREQ=DAILY;COUNT=5",
                   exdates=[day + timedelta(days=2)])

    response = fetch(client, feed_url_of(api_client, firm_a.user("associate")))
    items = vevents(parsed(response))
    assert [d.dt for d in items[timed.uid]["EXDATE"].dts] == [first + timedelta(days=7), first + timedelta(days=21)]
    assert items[timed.uid]["EXDATE"].params["TZID"] == "Asia/Hong_Kong"
    assert [d.dt for d in items[all_day.uid]["EXDATE"].dts] == [(day + timedelta(days=2)).date()]
    strict = {e.uid: e for e in IcsCalendarStream.calendar_from_ics(response.content.decode()).events}
    assert len(strict[timed.uid].exdate) == 2

    connection = CalDAVConnection(firm_id=firm_a.firm.pk, membership=firm_a.members["associate"])
    with firm_a.scope():
        (item,) = Calendar.from_ical(_document(connection, timed)).walk("VEVENT")
    assert [d.dt for d in item["EXDATE"].dts] == [first + timedelta(days=7), first + timedelta(days=21)]
