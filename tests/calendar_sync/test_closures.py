"""Recording a registry closure (or correcting a holiday) moves the deadlines it affects,
tells their owners, leaves the rest alone, and does nothing the second time."""

from datetime import date, time

import pytest

from audit.context import acting_as, system_actor
from audit.models import AuditEntry
from calendar_sync.deadlines.selectors import deadline_rule_by_code
from calendar_sync.deadlines.services import (
    deadline_create,
    deadline_override,
    deadline_rules_install_defaults,
    holiday_adjustment_record,
    registry_closure_record,
)
from calendar_sync.models import Event, RegistryClosure
from config.errors import Forbidden, ValidationFailed
from firms.models import Notification

RAIN_DAY = date(2026, 3, 4)  # a Wednesday


@pytest.fixture
def as_system():
    with acting_as(system_actor("tests")):
        yield


@pytest.fixture
def rules(firm_a, firm_b, as_system):
    for world in (firm_a, firm_b):
        with world.scope():
            deadline_rules_install_defaults(firm_id=world.firm.pk)


def make_deadline(world, case, code, trigger, member="associate"):
    with world.scope():
        rule = deadline_rule_by_code(firm_id=world.firm.pk, code=code)
        return deadline_create(case=case, membership=world.members[member], rule=rule, trigger_date=trigger)


def record_rain(world, day=RAIN_DAY, **extra):
    with world.scope():
        return registry_closure_record(firm=world.firm, membership=world.members["partner"], date=day,
                                       kind="black_rain", reason="Black rainstorm warning", **extra)


def fresh(world, event):
    with world.scope():
        return Event.objects.get(pk=event.pk)


def notices(world, member="associate"):
    with world.scope():
        return list(Notification.objects.filter(recipient=world.members[member]).values_list("title", flat=True))


@pytest.fixture
def due_on_the_rain_day(firm_a, case_a, rules):
    # Setting down: 28 days at the Registry from Wed 4 Feb 2026 → Wed 4 Mar 2026.
    return make_deadline(firm_a, case_a, "setting-down", date(2026, 2, 4))


@pytest.fixture
def due_later(firm_a, case_a, rules):
    return make_deadline(firm_a, case_a, "setting-down", date(2026, 2, 20))  # → Fri 20 Mar


def test_a_black_rainstorm_closure_moves_a_deadline_due_that_day_and_tells_its_owner(
        firm_a, due_on_the_rain_day, due_later):
    assert due_on_the_rain_day.effective_date == RAIN_DAY

    change = record_rain(firm_a)

    moved = fresh(firm_a, due_on_the_rain_day)
    assert [e.pk for e in change.moved] == [moved.pk]
    assert (moved.effective_date, moved.computed_date) == (date(2026, 3, 5), date(2026, 3, 5))
    assert moved.sequence == 1
    assert [s["step"] for s in moved.computation][-4:] == ["closed", "move", "due", "recomputed"]
    assert "was 2026-03-04" in moved.computation[-1]["why"]
    assert any("2026-03-05" in title for title in notices(firm_a))
    with firm_a.scope():
        told = Notification.objects.get(recipient=firm_a.members["associate"])
        assert (told.kind, told.case_id) == ("deadline_moved", moved.case_id)
        audit = AuditEntry.objects.get(action="deadline.move", object_id=str(moved.pk))
        assert audit.changes["date"] == ["2026-03-04", "2026-03-05"] and audit.case_id == moved.case_id
        assert AuditEntry.objects.filter(action="registry_closure.record").count() == 1


def test_a_closure_leaves_a_deadline_it_does_not_affect_alone(firm_a, due_on_the_rain_day, due_later):
    record_rain(firm_a)
    untouched = fresh(firm_a, due_later)
    assert (untouched.effective_date, untouched.sequence) == (date(2026, 3, 20), 0)
    assert untouched.computation == due_later.computation


def test_recording_the_same_closure_again_changes_nothing(firm_a, due_on_the_rain_day):
    record_rain(firm_a)
    before = (fresh(firm_a, due_on_the_rain_day).sequence, len(notices(firm_a)))

    again = record_rain(firm_a)

    assert (again.changed, again.moved) == (False, [])
    assert (fresh(firm_a, due_on_the_rain_day).sequence, len(notices(firm_a))) == before
    with firm_a.scope():
        assert RegistryClosure.objects.count() == 1


def test_a_closure_inside_a_short_court_office_period_pushes_it_a_day(firm_a, case_a, rules):
    # Appeal set down: 7 days at the Registry from Mon 2 Mar → Wed 11 Mar; 4 Mar no longer counts.
    event = make_deadline(firm_a, case_a, "appeal-set-down", date(2026, 3, 2))
    assert event.effective_date == date(2026, 3, 11)
    record_rain(firm_a)
    assert fresh(firm_a, event).effective_date == date(2026, 3, 12)


def test_a_deadline_set_by_hand_is_not_moved_but_its_owner_is_asked_to_check(firm_a, due_on_the_rain_day):
    with firm_a.scope():
        deadline_override(event=due_on_the_rain_day, membership=firm_a.members["associate"],
                          new_date=RAIN_DAY, reason="Date fixed by the Master's order")
    change = record_rain(firm_a)
    kept = fresh(firm_a, due_on_the_rain_day)
    assert kept.effective_date == RAIN_DAY and change.moved == []
    assert [e.pk for e in change.to_check] == [kept.pk]
    assert kept.computation[-1]["code"] == "recheck"
    assert any("Check the deadline" in title for title in notices(firm_a))


def test_a_done_deadline_is_left_alone(firm_a, due_on_the_rain_day):
    with firm_a.scope():
        Event.objects.filter(pk=due_on_the_rain_day.pk).update(is_done=True)
    assert record_rain(firm_a).moved == []
    assert fresh(firm_a, due_on_the_rain_day).effective_date == RAIN_DAY


def test_another_firms_closure_does_not_touch_this_firms_deadlines(firm_a, firm_b, due_on_the_rain_day):
    change = record_rain(firm_b)
    assert change.moved == []
    assert fresh(firm_a, due_on_the_rain_day).effective_date == RAIN_DAY


def test_a_closure_for_the_district_court_does_not_move_a_high_court_deadline(firm_a, due_on_the_rain_day):
    change = record_rain(firm_a, courts=["DC"])  # case_a is HCA: the High Court
    assert change.moved == []
    assert fresh(firm_a, due_on_the_rain_day).effective_date == RAIN_DAY


def test_only_a_partner_or_admin_can_record_a_closure(firm_a, due_on_the_rain_day):
    with firm_a.scope(), pytest.raises(Forbidden):
        registry_closure_record(firm=firm_a.firm, membership=firm_a.members["associate"], date=RAIN_DAY,
                                kind="black_rain")
    assert fresh(firm_a, due_on_the_rain_day).effective_date == RAIN_DAY


def test_a_closure_of_an_unknown_kind_or_court_is_refused(firm_a, as_system):
    with firm_a.scope(), pytest.raises(ValidationFailed) as refused:
        registry_closure_record(firm=firm_a.firm, membership=firm_a.members["admin"], date=RAIN_DAY,
                                kind="snow", courts=["XX"], closed_from=time(14), closed_until=time(9))
    assert set(refused.value.fields) == {"kind", "courts", "closed_until"}


# --- Holiday corrections --------------------------------------------------------------------


def test_removing_a_holiday_the_package_has_wrongly_brings_a_short_deadline_forward(firm_a, case_a, rules):
    # Inspection: 7 days from Thu 21 May 2026, Mon 25 May not counted → Tue 2 Jun; once the
    # firm removes 25 May from the holidays it counts, and day 7 is Mon 1 Jun.
    event = make_deadline(firm_a, case_a, "inspection-of-documents", date(2026, 5, 21))
    assert event.effective_date == date(2026, 6, 2)
    with firm_a.scope():
        change = holiday_adjustment_record(firm=firm_a.firm, membership=firm_a.members["admin"],
                                           date=date(2026, 5, 25), is_holiday=False, reason="test correction")
    assert [e.pk for e in change.moved] == [event.pk]
    assert fresh(firm_a, event).effective_date == date(2026, 6, 1)
    assert any("2026-06-01" in title for title in notices(firm_a))


def test_a_holiday_correction_needs_a_reason(firm_a, as_system):
    with firm_a.scope(), pytest.raises(ValidationFailed):
        holiday_adjustment_record(firm=firm_a.firm, membership=firm_a.members["admin"],
                                  date=date(2026, 5, 25), is_holiday=False, reason="")
