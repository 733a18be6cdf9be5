"""Deadline services: the rule library, deadlines on a case, overrides, limitation dates."""

import importlib
from datetime import date

import pytest
from django.apps import apps as django_apps
from django.db import connection

from audit.context import acting_as, system_actor
from audit.models import AuditEntry
from calendar_sync.data.deadline_rules import DEFAULT_DEADLINE_RULES
from calendar_sync.deadlines.selectors import (
    deadline_rule_by_code,
    limitation_warning,
    limitation_warnings_for_case,
)
from calendar_sync.deadlines.services import (
    deadline_compute,
    deadline_create,
    deadline_override,
    deadline_rule_update,
    deadline_rules_install_defaults,
)
from calendar_sync.models import DeadlineRule, Event, EventAttendee, LimitationRule
from config.errors import Forbidden, NotFound, ValidationFailed


@pytest.fixture
def as_system():
    with acting_as(system_actor("tests")):
        yield


@pytest.fixture
def rules_a(firm_a, as_system):
    with firm_a.scope():
        deadline_rules_install_defaults(firm_id=firm_a.firm.pk)


def rule(world, code):
    return deadline_rule_by_code(firm_id=world.firm.pk, code=code)


# --- The rule library ---------------------------------------------------------------------


def test_a_firm_gets_the_rule_library_as_its_own_editable_rows(firm_a, firm_b, as_system):
    with firm_a.scope():
        deadline_rules_install_defaults(firm_id=firm_a.firm.pk)
        codes = set(DeadlineRule.objects.values_list("code", flat=True))
        assert len(codes) >= 15
        assert {"acknowledgment-of-service", "defence", "reply", "notice-of-appeal-ca", "judicial-review-leave",
                "statutory-demand-bankruptcy", "sanctioned-offer-acceptance"} <= codes
        assert LimitationRule.objects.filter(code="contract", years=6).exists()
    with firm_b.scope():
        assert not DeadlineRule.objects.filter(firm=firm_a.firm).exists()


def test_every_rule_in_the_library_has_a_citation_a_trigger_and_a_period():
    for entry in DEFAULT_DEADLINE_RULES:
        assert entry["citation"] and entry["trigger"] and entry["name"], entry["code"]
        assert entry["days"] > 0 or entry["months"] > 0, entry["code"]
        assert entry["court"] in ("HC", "DC", "ANY"), entry["code"]


def test_installing_the_library_again_keeps_the_firms_corrections(firm_a, rules_a):
    with firm_a.scope():
        DeadlineRule.objects.filter(code="reply").update(days=14)
        deadline_rules_install_defaults(firm_id=firm_a.firm.pk)
        assert DeadlineRule.objects.get(code="reply").days == 14
        assert DeadlineRule.objects.filter(code="reply").count() == 1


def test_the_data_migration_gives_an_existing_firm_the_library(firm_a, as_system):
    migration = importlib.import_module("calendar_sync.migrations.0003_deadline_rules_seed")
    migration.give_existing_firms_the_default_rules(django_apps, connection.schema_editor())
    with firm_a.scope():
        assert DeadlineRule.objects.filter(firm=firm_a.firm).count() == len(DEFAULT_DEADLINE_RULES)


def test_a_partner_can_correct_a_rule_and_the_change_is_audited(firm_a, rules_a):
    with firm_a.scope():
        reply = deadline_rule_update(rule=rule(firm_a, "reply"), membership=firm_a.members["partner"], days=21,
                                     notes="checked against Cap. 4A")
        assert reply.days == 21
        assert AuditEntry.objects.filter(action="deadline_rule.update", object_id=str(reply.pk)).exists()


def test_a_trainee_cannot_change_a_rule(firm_a, rules_a):
    with firm_a.scope(), pytest.raises(Forbidden):
        deadline_rule_update(rule=rule(firm_a, "reply"), membership=firm_a.members["trainee"], days=1)


def test_a_rule_cannot_be_given_a_negative_period(firm_a, rules_a):
    with firm_a.scope(), pytest.raises(ValidationFailed):
        deadline_rule_update(rule=rule(firm_a, "reply"), membership=firm_a.members["partner"], days=-3)


# --- Computing from a rule ----------------------------------------------------------------


def test_acknowledgment_of_service_counts_the_day_of_service(firm_a, rules_a):
    # Served Mon 2 Mar 2026: day 1 is 2 Mar, day 14 is Sun 15 Mar; the Registry is shut, so Mon 16.
    with firm_a.scope():
        computed = deadline_compute(firm_id=firm_a.firm.pk, rule=rule(firm_a, "acknowledgment-of-service"),
                                    trigger_date=date(2026, 3, 2))
    assert computed.due == date(2026, 3, 16)
    assert computed.steps[0]["step"] == "rule" and "O.12 r.5(a)" in computed.steps[0]["why"]


def test_an_appeal_to_the_court_of_appeal_is_28_days_from_judgment(firm_a, rules_a):
    with firm_a.scope():
        computed = deadline_compute(firm_id=firm_a.firm.pk, rule=rule(firm_a, "notice-of-appeal-ca"),
                                    trigger_date=date(2026, 1, 9))
    assert computed.due == date(2026, 2, 6)


def test_the_statutory_demand_gives_21_days(firm_a, rules_a):
    with firm_a.scope():
        computed = deadline_compute(firm_id=firm_a.firm.pk, rule=rule(firm_a, "statutory-demand-bankruptcy"),
                                    trigger_date=date(2026, 3, 2))
    assert computed.due == date(2026, 3, 23)


def test_computing_writes_nothing(firm_a, rules_a):
    with firm_a.scope():
        before = (Event.objects.count(), AuditEntry.objects.count())
        deadline_compute(firm_id=firm_a.firm.pk, rule=rule(firm_a, "defence"), trigger_date=date(2026, 7, 20),
                         court="HC")
        assert (Event.objects.count(), AuditEntry.objects.count()) == before


# --- A deadline on a case -----------------------------------------------------------------


def test_a_defence_deadline_on_a_high_court_case_skips_the_summer_vacation(firm_a, case_a, rules_a):
    with firm_a.scope():
        event = deadline_create(case=case_a, membership=firm_a.members["associate"], rule=rule(firm_a, "defence"),
                                trigger_date=date(2026, 7, 20))
        event.refresh_from_db()
        assert (event.kind, event.all_day, event.effective_date) == ("filing_deadline", True, date(2026, 9, 17))
        assert (event.computed_date, event.trigger_date, event.rule.code) == (
            date(2026, 9, 17), date(2026, 7, 20), "defence")
        assert event.owner == firm_a.members["associate"]
        assert EventAttendee.objects.filter(event=event, membership=firm_a.members["associate"]).exists()
        assert [s["step"] for s in event.computation][:2] == ["rule", "start"]
        assert any(s.get("params", {}).get("reason_code") == "summer_vacation" for s in event.computation)
        audit = AuditEntry.objects.get(action="deadline.create", object_id=str(event.pk))
        assert audit.case_id == case_a.pk and audit.changes["due"] == "2026-09-17"


def test_a_deadline_with_another_firms_rule_is_not_found(firm_a, firm_b, case_a, rules_a):
    with firm_b.scope():
        deadline_rules_install_defaults(firm_id=firm_b.firm.pk)
        other_rule = rule(firm_b, "defence")
    with firm_a.scope(), pytest.raises(NotFound):
        deadline_create(case=case_a, membership=firm_a.members["associate"], rule=other_rule,
                        trigger_date=date(2026, 3, 2))


def test_a_switched_off_rule_cannot_make_a_deadline(firm_a, case_a, rules_a):
    with firm_a.scope():
        DeadlineRule.objects.filter(code="reply").update(is_active=False)
        switched_off = DeadlineRule.objects.get(code="reply")
        with pytest.raises(ValidationFailed):
            deadline_create(case=case_a, membership=firm_a.members["associate"], rule=switched_off,
                            trigger_date=date(2026, 3, 2))


# --- Overrides (O.3 r.5) ------------------------------------------------------------------


@pytest.fixture
def defence_deadline(firm_a, case_a, rules_a):
    with firm_a.scope():
        return deadline_create(case=case_a, membership=firm_a.members["associate"],
                               rule=rule(firm_a, "defence"), trigger_date=date(2026, 3, 2))


def test_an_override_needs_a_reason_and_changes_nothing_without_one(firm_a, defence_deadline):
    with firm_a.scope():
        with pytest.raises(ValidationFailed) as refused:
            deadline_override(event=defence_deadline, membership=firm_a.members["associate"],
                              new_date=date(2026, 4, 30), reason="  ")
        assert "reason" in refused.value.fields
        defence_deadline.refresh_from_db()
        assert defence_deadline.effective_date == date(2026, 3, 30)
        assert not AuditEntry.objects.filter(action="deadline.override").exists()


def test_an_override_moves_the_date_keeps_the_computed_one_and_is_audited(firm_a, defence_deadline):
    with firm_a.scope():
        event = deadline_override(event=defence_deadline, membership=firm_a.members["associate"],
                                  new_date=date(2026, 4, 30), reason="Extended by consent, letter of 20 Mar")
        event.refresh_from_db()
        assert (event.effective_date, event.computed_date) == (date(2026, 4, 30), date(2026, 3, 30))
        assert event.override_reason == "Extended by consent, letter of 20 Mar"
        assert event.computation[-1]["step"] == "override"
        assert "Extended by consent" in event.computation[-1]["why"]
        assert event.sequence == 1
        audit = AuditEntry.objects.get(action="deadline.override")
        assert audit.changes["date"] == ["2026-03-30", "2026-04-30"] and audit.case_id == event.case_id


def test_someone_who_cannot_see_the_case_cannot_override_its_deadline(firm_a, defence_deadline):
    with firm_a.scope(), pytest.raises(NotFound):
        deadline_override(event=defence_deadline, membership=firm_a.members["trainee"],
                          new_date=date(2026, 4, 30), reason="because")


# --- Limitation (Cap. 347) ----------------------------------------------------------------


def test_a_contract_claim_warns_six_years_after_accrual_with_its_basis_and_caution(firm_a, case_a, rules_a):
    with firm_a.scope():
        warning = limitation_warning(firm_id=firm_a.firm.pk, cause="contract", accrued_on=date(2020, 3, 1))
    assert warning.warning_date == date(2026, 3, 1)
    assert warning.issue_by == date(2026, 2, 27)  # 1 Mar 2026 is a Sunday: issue on the Friday before
    assert "s.4(1)(a)" in warning.basis and "6 years" in warning.basis
    assert "s.26" in warning.caution and "s.22" in warning.caution and "never final" in warning.caution


def test_a_case_gets_its_limitation_warnings_soonest_first(firm_a, case_a, rules_a):
    with firm_a.scope():
        warnings = limitation_warnings_for_case(case=case_a, causes=[("contract", date(2021, 6, 1)),
                                                                     ("personal-injuries", date(2024, 6, 3))])
    assert [(w.cause, w.warning_date) for w in warnings] == [
        ("contract", date(2027, 6, 1)), ("personal-injuries", date(2027, 6, 3))]


def test_an_unknown_cause_of_action_is_refused(firm_a, rules_a):
    with firm_a.scope(), pytest.raises(ValidationFailed) as refused:
        limitation_warning(firm_id=firm_a.firm.pk, cause="piracy", accrued_on=date(2020, 1, 1))
    assert "piracy" in str(refused.value.message)
