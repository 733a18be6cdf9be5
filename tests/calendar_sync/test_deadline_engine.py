"""Worked examples of RHC Order 3: the pure counter with an in-memory calendar (no database).

2026 for orientation: Fri 13 Feb; Lunar New Year Tue 17 – Thu 19 Feb; Easter Fri 3 –
Tue 7 Apr (5 Apr, Ching Ming, is a Sunday, so 6 Apr is the holiday); 1 Aug is a Saturday.
"""

import json
from datetime import date, time

import holidays
import pytest

from calendar_sync.deadlines.engine import Period, add_months, compute, step_text
from calendar_sync.deadlines.holidays import (
    ClosureDay,
    CourtCalendar,
    NoHolidayData,
    general_holidays,
)
from config.errors import ValidationFailed

GAZETTED = {
    # docs: /work/shared/product/hk-rules.md §2 (Sundays are holidays anyway and are left out)
    2025: ["2025-01-01", "2025-01-29", "2025-01-30", "2025-01-31", "2025-04-04", "2025-04-18",
           "2025-04-19", "2025-04-21", "2025-05-01", "2025-05-05", "2025-05-31", "2025-07-01",
           "2025-10-01", "2025-10-07", "2025-10-29", "2025-12-25", "2025-12-26"],
    2026: ["2026-01-01", "2026-02-17", "2026-02-18", "2026-02-19", "2026-04-03", "2026-04-04",
           "2026-04-06", "2026-04-07", "2026-05-01", "2026-05-25", "2026-06-19", "2026-07-01",
           "2026-09-26", "2026-10-01", "2026-10-19", "2026-12-25", "2026-12-26"],
}


def due(period: Period, trigger: str, calendar: CourtCalendar | None = None) -> date:
    return compute(period, date.fromisoformat(trigger), calendar or CourtCalendar()).due


def steps(period: Period, trigger: str, calendar: CourtCalendar | None = None) -> list[dict]:
    return compute(period, date.fromisoformat(trigger), calendar or CourtCalendar()).steps


def closure(day: str, kind: str = "black_rain", courts=(), reason="") -> ClosureDay:
    return ClosureDay(date=date.fromisoformat(day), kind=kind, courts=tuple(courts), reason=reason)


# --- General holidays ---------------------------------------------------------------------


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_general_holidays_are_the_gazetted_list(year):
    listed = sorted(day.isoformat() for day in general_holidays(year) if day.weekday() != 6)
    assert listed == GAZETTED[year]


def test_good_friday_is_a_general_holiday_though_the_statutory_list_leaves_it_out():
    good_friday = date(2026, 4, 3)
    assert good_friday in general_holidays(2026)
    assert good_friday not in holidays.country_holidays("HK", years=2026)  # the wrong list


def test_a_year_the_package_has_no_holidays_for_is_refused_with_a_clear_message():
    with pytest.raises(NoHolidayData) as refused:
        due(Period(days=7), "2101-01-05")
    assert "2101" in str(refused.value.message) and refused.value.code == "no_holiday_data"


def test_a_period_running_into_a_year_without_holiday_data_is_refused_too():
    with pytest.raises(NoHolidayData):
        due(Period(days=28), "2100-12-20")


def test_a_year_not_yet_gazetted_is_computed_but_flagged_as_provisional():
    notes = [step for step in steps(Period(days=14), "2027-03-01") if step["code"] == "provisional"]
    assert notes and notes[0]["params"]["year"] == 2027


# --- Short periods (7 days or less) skip specified days -----------------------------------


def test_a_seven_day_period_skips_saturday_sunday_and_the_lunar_new_year():
    assert due(Period(days=7), "2026-02-13") == date(2026, 2, 27)


def test_a_seven_day_period_across_easter_skips_the_weekend_and_four_holidays():
    # Fri 3 (Good Friday), Sat 4, Sun 5, Mon 6, Tue 7 not counted: day 1 is Wed 8 Apr.
    assert due(Period(days=7), "2026-04-02") == date(2026, 4, 16)


def test_each_skipped_day_is_a_step_with_its_reason():
    skipped = [(s["date"], s["why"]) for s in steps(Period(days=7), "2026-02-13") if s["step"] == "skip"]
    assert skipped[:5] == [("2026-02-14", "Saturday"), ("2026-02-15", "Sunday (a general holiday)"),
                           ("2026-02-17", "general holiday: Chinese New Year"),
                           ("2026-02-18", "general holiday: The second day of Chinese New Year"),
                           ("2026-02-19", "general holiday: The third day of Chinese New Year")]


def test_the_steps_are_plain_data_that_read_as_sentences():
    computed = compute(Period(days=7), date(2026, 2, 13), CourtCalendar())
    stored = json.loads(json.dumps(computed.steps))
    assert stored[0] == {**stored[0], "step": "start", "date": "2026-02-13"}
    assert {"step": "skip", "date": "2026-02-17", "why": "general holiday: Chinese New Year"}.items() \
        <= stored[4].items()
    assert step_text(stored[4]) == "2026-02-17 not counted: general holiday: Chinese New Year."
    assert stored[-1]["step"] == "due" and step_text(stored[-1]) == "Due: 2026-02-27."


def test_a_gale_day_inside_a_five_day_period_is_not_counted():
    gale = CourtCalendar(closures=[closure("2026-09-16", kind="gale", reason="Typhoon signal No. 8")])
    assert due(Period(days=5), "2026-09-14") == date(2026, 9, 21)
    assert due(Period(days=5), "2026-09-14", gale) == date(2026, 9, 22)


def test_a_gale_day_is_skipped_even_for_an_act_not_done_at_a_court_office():
    gale = CourtCalendar(closures=[closure("2026-09-16", kind="gale", courts=["DC"])])
    assert due(Period(days=5, court_office=False, court="HC"), "2026-09-14", gale) == date(2026, 9, 22)


def test_another_kind_of_closure_is_skipped_only_for_an_act_at_a_court_office():
    shut = CourtCalendar(closures=[closure("2026-09-16", kind="other", reason="power failure")])
    assert due(Period(days=5), "2026-09-14", shut) == date(2026, 9, 21)
    assert due(Period(days=5, court_office=True), "2026-09-14", shut) == date(2026, 9, 22)


# --- Long periods count every day ---------------------------------------------------------


def test_an_eight_day_period_counts_every_day():
    assert due(Period(days=8), "2026-02-13") == date(2026, 2, 21)


def test_an_eight_day_period_ending_on_a_saturday_is_not_moved_unless_done_at_a_court_office():
    assert due(Period(days=8), "2026-02-13") == date(2026, 2, 21)
    note = [s for s in steps(Period(days=8), "2026-02-13") if s["code"] == "not_moved"]
    assert note and "Saturday" in note[0]["why"]
    assert due(Period(days=8, court_office=True), "2026-02-13") == date(2026, 2, 23)


# --- Clear days and "before" --------------------------------------------------------------


def test_two_clear_days_before_a_monday_hearing_means_serving_by_wednesday():
    assert due(Period(days=2, clear_days=True, before=True), "2026-02-09") == date(2026, 2, 4)


def test_three_clear_days_after_a_monday_means_friday_at_the_earliest():
    assert due(Period(days=3, clear_days=True), "2026-03-02") == date(2026, 3, 6)


def test_a_period_before_a_date_ends_the_day_before_it():
    assert due(Period(days=7, before=True), "2026-03-20") == date(2026, 3, 11)
    assert due(Period(days=14, before=True), "2026-03-20") == date(2026, 3, 6)


def test_an_act_at_a_court_office_due_before_a_date_on_a_closed_day_moves_earlier():
    assert due(Period(days=14, before=True, court_office=True), "2026-03-22") == date(2026, 3, 6)


# --- Months ---------------------------------------------------------------------------------


def test_a_month_from_31_january_is_the_last_day_of_february():
    assert due(Period(months=1), "2026-01-31") == date(2026, 2, 28)
    assert due(Period(months=1), "2028-01-31") == date(2028, 2, 29)
    clamp = [s for s in steps(Period(months=1), "2026-01-31") if s["step"] == "months"][0]
    assert clamp["code"] == "months_clamped"


def test_three_months_for_judicial_review_are_calendar_months():
    assert due(Period(months=3), "2026-03-31") == date(2026, 6, 30)
    assert add_months(date(2026, 11, 30), 3) == (date(2027, 2, 28), True)


# --- The Summer Vacation (High Court pleadings only) --------------------------------------


def test_a_pleading_period_across_august_skips_the_vacation_in_the_high_court_only():
    assert due(Period(days=28, pleading=True, court="HC"), "2026-07-20") == date(2026, 9, 17)
    assert due(Period(days=28, pleading=True, court="DC"), "2026-07-20") == date(2026, 8, 17)


def test_the_vacation_is_one_step_from_the_first_to_the_last_day_of_august():
    vacation = [s for s in steps(Period(days=28, pleading=True, court="HC"), "2026-07-20")
                if s["step"] == "skip"]
    assert len(vacation) == 1
    assert (vacation[0]["date"], vacation[0]["until"]) == ("2026-08-01", "2026-08-31")


def test_a_pleading_served_in_august_starts_running_in_september():
    assert due(Period(days=28, pleading=True, court="HC"), "2026-08-10") == date(2026, 9, 28)


def test_a_pleading_with_no_court_counts_august_and_says_so():
    computed = steps(Period(days=28, pleading=True), "2026-07-20")
    assert computed[-1]["date"] == "2026-08-17"
    assert any(s["code"] == "vacation_counted" for s in computed)


def test_a_month_long_pleading_period_adds_the_vacation_days_it_covered():
    assert due(Period(months=1, pleading=True, court="HC"), "2026-07-15") == date(2026, 9, 15)


def test_a_non_pleading_period_in_the_high_court_counts_august():
    assert due(Period(days=28, court="HC"), "2026-07-20") == date(2026, 8, 17)


# --- Recorded closures at the end of a period (r.4) ---------------------------------------


def test_a_deadline_on_a_black_rainstorm_closure_moves_to_the_next_open_day():
    rain = CourtCalendar(closures=[closure("2026-03-04", reason="Black rainstorm warning")])
    computed = steps(Period(days=28, court_office=True), "2026-02-04", rain)
    assert computed[-1]["date"] == "2026-03-05"
    closed = [s for s in computed if s["step"] == "closed"]
    assert closed[0]["date"] == "2026-03-04" and "black rainstorm" in closed[0]["why"]
    assert any(s["step"] == "move" for s in computed)


def test_a_friday_closure_moves_the_deadline_past_the_weekend():
    rain = CourtCalendar(closures=[closure("2026-03-06")])
    assert due(Period(days=28, court_office=True), "2026-02-06", rain) == date(2026, 3, 9)


def test_a_deadline_on_a_closure_stays_when_the_act_is_not_at_a_court_office():
    rain = CourtCalendar(closures=[closure("2026-03-04")])
    assert due(Period(days=28), "2026-02-04", rain) == date(2026, 3, 4)


def test_a_district_court_closure_does_not_move_a_high_court_deadline():
    shut = CourtCalendar(closures=[closure("2026-03-04", kind="other", courts=["DC"])])
    assert due(Period(days=28, court_office=True, court="HC"), "2026-02-04", shut) == date(2026, 3, 4)
    assert due(Period(days=28, court_office=True, court="DC"), "2026-02-04", shut) == date(2026, 3, 5)


def test_a_closure_for_one_court_is_not_applied_when_the_court_is_unknown_and_says_so():
    shut = CourtCalendar(closures=[closure("2026-03-04", kind="other", courts=["DC"])])
    computed = steps(Period(days=28, court_office=True), "2026-02-04", shut)
    assert computed[-1]["date"] == "2026-03-04"
    assert any(s["code"] == "closure_not_applied" for s in computed)


def test_the_closure_hours_are_shown_with_the_reason():
    rain = CourtCalendar(closures=[ClosureDay(date=date(2026, 3, 4), kind="black_rain",
                                              closed_from=time(9, 0), closed_until=time(14, 0),
                                              reason="Black rainstorm")])
    closed = [s for s in steps(Period(days=28, court_office=True), "2026-02-04", rain) if s["step"] == "closed"]
    assert closed[0]["why"] == "black rainstorm warning day: Black rainstorm 09:00–14:00"


# --- The firm's corrections to the holiday list --------------------------------------------


def test_an_admin_removed_holiday_is_counted():
    # Mon 25 May 2026 (day after the Buddha's Birthday) removed: the period runs a day sooner.
    assert due(Period(days=3), "2026-05-22") == date(2026, 5, 28)
    corrected = CourtCalendar(removed={date(2026, 5, 25): "not gazetted"})
    assert due(Period(days=3), "2026-05-22", corrected) == date(2026, 5, 27)


def test_an_admin_added_holiday_is_skipped_with_its_reason():
    corrected = CourtCalendar(added={date(2026, 5, 27): "extra holiday gazetted"})
    computed = steps(Period(days=3), "2026-05-22", corrected)
    assert computed[-1]["date"] == "2026-05-29"
    assert "general holiday added by the firm: extra holiday gazetted" in [s["why"] for s in computed]


def test_a_sunday_stays_a_holiday_even_if_someone_removes_it():
    corrected = CourtCalendar(removed={date(2026, 2, 15): "mistake"})
    assert due(Period(days=7), "2026-02-13", corrected) == date(2026, 2, 27)


# --- Bad periods --------------------------------------------------------------------------


@pytest.mark.parametrize(("period", "field"), [
    (Period(days=-1), "days"),
    (Period(months=-2), "months"),
    (Period(), "days"),
    (Period(days=5, court="CFI"), "court"),
])
def test_a_bad_period_is_refused_naming_the_field(period, field):
    with pytest.raises(ValidationFailed) as refused:
        due(period, "2026-03-02")
    assert field in refused.value.fields
