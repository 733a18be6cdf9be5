"""python manage.py deadline: the steps, then the due date alone on the last line."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.context import acting_as, system_actor
from calendar_sync.deadlines.services import (
    deadline_rules_install_defaults,
    registry_closure_record,
)


def run(*args) -> list[str]:
    out = StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_last_line_is_the_due_date_of_a_seven_day_period_over_lunar_new_year():
    lines = run("--from", "2026-02-13", "--days", "7")
    assert lines[-1] == "2026-02-27"
    assert "2026-02-17 not counted: general holiday: Chinese New Year." in lines


def test_an_eight_day_period_counts_every_day():
    assert run("--from", "2026-02-13", "--days", "8")[-1] == "2026-02-21"
    assert run("--from", "2026-02-13", "--days", "8", "--court-office")[-1] == "2026-02-23"


def test_clear_days_before_a_hearing():
    assert run("--from", "2026-02-09", "--days", "2", "--clear-days", "--before")[-1] == "2026-02-04"


def test_a_month_from_the_31st_of_january():
    assert run("--from", "2026-01-31", "--months", "1")[-1] == "2026-02-28"


def test_a_pleading_over_august_in_the_high_court_and_the_district_court():
    assert run("--from", "2026-07-20", "--days", "28", "--pleading", "--court", "HC")[-1] == "2026-09-17"
    assert run("--from", "2026-07-20", "--days", "28", "--pleading", "--court", "DC")[-1] == "2026-08-17"


def test_a_year_without_holiday_data_is_an_error_not_a_date():
    with pytest.raises(CommandError, match="no general-holiday data for 2101"):
        run("--from", "2101-03-01", "--days", "7")


def test_negative_days_are_an_error():
    with pytest.raises(CommandError, match="days: Must be 0 or more"):
        run("--from", "2026-03-01", "--days", "-1")


def test_a_bad_date_is_an_error():
    with pytest.raises(CommandError):
        run("--from", "2026-02-30", "--days", "7")


def test_a_firm_and_its_rule_and_recorded_closure_are_used(firm_a):
    with acting_as(system_actor("tests")), firm_a.scope():
        deadline_rules_install_defaults(firm_id=firm_a.firm.pk)
        registry_closure_record(firm=firm_a.firm, membership=firm_a.members["partner"], date=date(2026, 3, 4),
                                kind="black_rain")
    lines = run("--from", "2026-02-04", "--firm", "alpha", "--rule", "setting-down")
    assert lines[0].startswith("Setting down for trial (RHC O.34 r.2")
    assert lines[-1] == "2026-03-05"
    assert run("--from", "2026-02-04", "--days", "28", "--court-office")[-1] == "2026-03-04"


def test_an_unknown_rule_code_is_named(firm_a):
    with pytest.raises(CommandError, match="no-such-rule"):
        run("--from", "2026-02-04", "--firm", "alpha", "--rule", "no-such-rule")


def test_a_rule_needs_a_firm_and_an_unknown_firm_is_named(db):
    with pytest.raises(CommandError, match="--rule needs --firm"):
        run("--from", "2026-02-04", "--rule", "defence")
    with pytest.raises(CommandError, match="nowhere"):
        run("--from", "2026-02-04", "--days", "3", "--firm", "nowhere")
