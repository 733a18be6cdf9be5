"""The deadline API: members only, firm-scoped, clear 400s, and another firm's things unseen."""

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from audit.context import acting_as, system_actor
from calendar_sync.deadlines.services import deadline_rules_install_defaults
from calendar_sync.models import DeadlineRule, Event
from config.urls import urlpatterns as project_urls
from tests.conftest import token_for

# Until config/urls.py includes calendar_sync.api_deadlines, these tests add it themselves.
urlpatterns = [*project_urls, path("api/", include("calendar_sync.api_deadlines"))]
pytestmark = pytest.mark.urls(__name__)

COMPUTE = "/api/deadlines/compute/"


@pytest.fixture
def rules(firm_a, firm_b):
    with acting_as(system_actor("tests")):
        for world in (firm_a, firm_b):
            with world.scope():
                deadline_rules_install_defaults(firm_id=world.firm.pk)
        with firm_a.scope():
            rule = DeadlineRule.objects.get(code="reply")
            DeadlineRule.objects.create(firm=firm_a.firm, code="alpha-house-rule", name="Alpha's own",
                                        citation="practice", trigger="instruction", days=3)
            return rule


def as_member(api_client, world, role="associate"):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.user(role))}")
    return api_client


def test_computing_needs_a_signed_in_member(api_client, db):
    response = api_client.post(COMPUTE, {"from": "2026-02-13", "days": 7}, format="json")
    assert response.status_code == 401


def test_a_period_is_computed_with_its_steps_and_due_date(api_client, firm_a):
    response = as_member(api_client, firm_a).post(COMPUTE, {"from": "2026-02-13", "days": 7}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["due"] == "2026-02-27"
    skip = [s for s in body["steps"] if s["date"] == "2026-02-17"][0]
    assert (skip["step"], skip["why"]) == ("skip", "general holiday: Chinese New Year")
    assert skip["text"] == "2026-02-17 not counted: general holiday: Chinese New Year."


def test_every_flag_is_accepted(api_client, firm_a):
    body = {"from": "2026-07-20", "days": 28, "pleading": True, "court": "HC", "court_office": False,
            "clear_days": False, "before": False, "months": 0}
    response = as_member(api_client, firm_a).post(COMPUTE, body, format="json")
    assert response.json()["due"] == "2026-09-17"


def test_a_rule_code_is_computed_with_the_rule_shown(api_client, firm_a, rules):
    response = as_member(api_client, firm_a).post(COMPUTE, {"from": "2026-03-02", "rule": "acknowledgment-of-service"},
                                                  format="json")
    body = response.json()
    assert body["due"] == "2026-03-16" and body["rule"] == "acknowledgment-of-service"
    assert body["steps"][0]["step"] == "rule"


def test_another_firms_rule_code_is_unknown_and_named(api_client, firm_b, rules):
    response = as_member(api_client, firm_b).post(COMPUTE, {"from": "2026-03-02", "rule": "alpha-house-rule"},
                                                  format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_rule"
    assert "alpha-house-rule" in response.json()["detail"]


def test_a_year_without_holiday_data_is_a_clear_400(api_client, firm_a):
    response = as_member(api_client, firm_a).post(COMPUTE, {"from": "2101-01-05", "days": 7}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "no_holiday_data" and "2101" in response.json()["detail"]


@pytest.mark.parametrize(("body", "field"), [
    ({"from": "2026-03-02", "days": -1}, "days"),
    ({"from": "2026-03-02", "months": -1}, "months"),
    ({"from": "2026-02-30", "days": 3}, "from"),
    ({"days": 3}, "from"),
    ({"from": "2026-03-02", "days": 3, "court": "CFI"}, "court"),
    ({"from": "2026-03-02"}, "days"),
])
def test_bad_input_is_a_400_naming_the_field(api_client, firm_a, body, field):
    response = as_member(api_client, firm_a).post(COMPUTE, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_the_rule_list_shows_only_the_firms_own_rules(api_client, firm_b, rules):
    response = as_member(api_client, firm_b).get("/api/deadline-rules/")
    codes = {rule["code"] for rule in response.json()["results"]}
    assert "defence" in codes and "alpha-house-rule" not in codes


def test_a_deadline_is_put_on_a_case_and_overridden_with_a_reason(api_client, firm_a, case_a, rules):
    client = as_member(api_client, firm_a)
    created = client.post(f"/api/cases/{case_a.pk}/deadlines/", {"rule": "defence", "from": "2026-03-02"},
                          format="json")
    assert created.status_code == 201
    event_id = created.json()["id"]
    assert created.json()["date"] == "2026-03-30"

    refused = client.post(f"/api/deadlines/{event_id}/override/", {"date": "2026-04-30", "reason": ""},
                          format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["fields"]

    changed = client.post(f"/api/deadlines/{event_id}/override/",
                          {"date": "2026-04-30", "reason": "Consent to extend"}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["date"], changed.json()["computed_date"]) == ("2026-04-30", "2026-03-30")


def test_another_firms_case_and_deadline_are_not_found(api_client, firm_a, firm_b, case_a, rules):
    created = as_member(api_client, firm_a).post(f"/api/cases/{case_a.pk}/deadlines/",
                                                 {"rule": "defence", "from": "2026-03-02"}, format="json")
    outsider = as_member(api_client, firm_b)
    assert outsider.post(f"/api/cases/{case_a.pk}/deadlines/", {"rule": "defence", "from": "2026-03-02"},
                         format="json").status_code == 404
    assert outsider.post(f"/api/deadlines/{created.json()['id']}/override/",
                         {"date": "2026-04-30", "reason": "x"}, format="json").status_code == 404
    assert outsider.get(f"/api/cases/{case_a.pk}/limitation/",
                        {"cause": "contract", "accrued_on": "2020-03-01"}).status_code == 404


def test_a_partner_records_a_closure_and_the_affected_deadline_moves(api_client, firm_a, case_a, rules):
    client = as_member(api_client, firm_a, "partner")
    created = client.post(f"/api/cases/{case_a.pk}/deadlines/", {"rule": "setting-down", "from": "2026-02-04"},
                          format="json")
    closure = {"date": "2026-03-04", "kind": "black_rain", "reason": "Black rainstorm warning"}
    first = client.post("/api/registry-closures/", closure, format="json")
    assert first.status_code == 201
    assert [(e["id"], e["date"]) for e in first.json()["moved"]] == [(created.json()["id"], "2026-03-05")]
    again = client.post("/api/registry-closures/", closure, format="json")
    assert (again.status_code, again.json()["changed"]) == (200, False)


def test_an_associate_cannot_record_a_closure(api_client, firm_a):
    response = as_member(api_client, firm_a).post("/api/registry-closures/",
                                                  {"date": "2026-03-04", "kind": "gale"}, format="json")
    assert response.status_code == 403


def test_an_admin_corrects_a_holiday(api_client, firm_a):
    response = as_member(api_client, firm_a, "admin").post(
        "/api/holiday-adjustments/", {"date": "2026-05-25", "is_holiday": False, "reason": "not gazetted"},
        format="json")
    assert response.status_code == 201
    computed = as_member(api_client, firm_a).post(COMPUTE, {"from": "2026-05-22", "days": 3}, format="json")
    assert computed.json()["due"] == "2026-05-27"


def test_a_case_limitation_date_comes_with_its_basis(api_client, firm_a, case_a, rules):
    response = as_member(api_client, firm_a).get(f"/api/cases/{case_a.pk}/limitation/",
                                                 {"cause": "contract", "accrued_on": "2020-03-01"})
    assert response.status_code == 200
    warning = response.json()["results"][0]
    assert (warning["warning_date"], warning["issue_by"]) == ("2026-03-01", "2026-02-27")
    assert "s.4(1)(a)" in warning["basis"] and "s.26" in warning["caution"]


def test_computing_writes_no_event(api_client, firm_a, rules):
    as_member(api_client, firm_a).post(COMPUTE, {"from": "2026-03-02", "rule": "defence"}, format="json")
    with firm_a.scope():
        assert not Event.objects.exists()


def test_the_deadline_api_is_in_the_schema_without_warnings():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/", include(("calendar_sync.api_deadlines", "api")))])

    schema = generator.get_schema(request=None, public=True)

    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    assert {path for path in schema["paths"]} == {
        "/api/deadlines/compute/", "/api/deadlines/{event_id}/override/", "/api/deadline-rules/",
        "/api/cases/{case_id}/deadlines/", "/api/cases/{case_id}/limitation/", "/api/registry-closures/",
        "/api/holiday-adjustments/"}
    compute = schema["components"]["schemas"]["ComputeInputRequest"]
    assert "from" in compute["properties"] and "from" in compute["required"]
