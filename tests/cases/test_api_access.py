"""Every cases API endpoint answers another firm's person and an off-team trainee with the same
404 as a missing id, changes nothing for them, and resolves ids in payloads inside the firm."""

import pytest
from django.core.management import call_command

from cases.models import Task
from cases.services import case_create, conflict_check_run, note_add
from firms.models import Notification
from tests.cases.test_api_support import NOT_FOUND, as_the_firm, client_for, row_counts

MISSING = 999_999_999

ENDPOINTS = [
    ("get", "/api/cases/{case}/", None),
    ("patch", "/api/cases/{case}/", {"stage": "pleadings"}),
    ("get", "/api/cases/{case}/parties/", None),
    ("post", "/api/cases/{case}/parties/", {"role": "third_party", "name_en": "Zeta Ltd"}),
    ("delete", "/api/cases/{case}/parties/{party}/", None),
    ("get", "/api/cases/{case}/team/", None),
    ("post", "/api/cases/{case}/team/", {"member": "{trainee}"}),
    ("delete", "/api/cases/{case}/team/{member}/", None),
    ("get", "/api/cases/{case}/conflict-checks/", None),
    ("post", "/api/cases/{case}/conflict-checks/", None),
    ("post", "/api/cases/{case}/conflict-checks/{check}/clear/", {"reason": "Consent of both clients on file"}),
    ("get", "/api/cases/{case}/tasks/", None),
    ("post", "/api/cases/{case}/tasks/", {"title": "Sneak a task in"}),
    ("get", "/api/tasks/{task}/", None),
    ("patch", "/api/tasks/{task}/", {"title": "Renamed by a stranger"}),
    ("post", "/api/tasks/{task}/status/", {"status": "cancelled"}),
    ("get", "/api/cases/{case}/notes/", None),
    ("post", "/api/cases/{case}/notes/", {"body": "Hello from outside"}),
    ("get", "/api/cases/{case}/timeline/", None),
    ("post", "/api/notifications/{notification}/read/", None),
]
ENDPOINT_IDS = [f"{method} {path}" for method, path, _body in ENDPOINTS]


@pytest.fixture
def ids(firm_a, case_a):
    """Real ids of firm A's rows: the case, a party, the team's associate, a check with hits to
    clear, a task, and a notification of firm A's partner."""
    with as_the_firm(firm_a):
        case_create(membership=firm_a.members["associate"], reference="A-2", title_en="Omega v Beta",
                    parties=[{"role": "plaintiff", "name_en": "Omega Shipping Co Ltd"}])
        check = conflict_check_run(case=case_a, membership=firm_a.members["associate"])
        note_add(case=case_a, membership=firm_a.members["associate"], body="@partner please look")
        return {
            "case": case_a.pk,
            "party": case_a.parties.first().pk,
            "member": firm_a.members["associate"].pk,
            "check": check.pk,
            "task": Task.objects.filter(case=case_a).first().pk,
            "notification": Notification.objects.get(recipient=firm_a.members["partner"], kind="mention").pk,
            "trainee": firm_a.members["trainee"].pk,
        }


def _call(client, method, path, body, ids=None):
    if body is None:
        return getattr(client, method)(path)
    body = {key: ids[value[1:-1]] if ids and value in ("{trainee}",) else value for key, value in body.items()}
    return getattr(client, method)(path, body, format="json")


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_the_firms_partner_reaches_every_endpoint(firm_a, ids, method, path, body):
    """The control for the 404s below: the same requests by someone who may see the case."""
    response = _call(client_for(firm_a, "partner"), method, path.format(**ids), body, ids)
    assert response.status_code in (200, 201, 204), response.content


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_another_firms_partner_gets_the_same_404_as_for_a_missing_id(firm_a, firm_b, ids, method, path, body):
    outsider = client_for(firm_b, "partner")
    before = row_counts(firm_a)
    theirs = _call(outsider, method, path.format(**ids), body)
    missing = _call(outsider, method, path.format(**dict.fromkeys(ids, MISSING)), body)
    assert (theirs.status_code, theirs.json()) == (404, NOT_FOUND)
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)
    assert row_counts(firm_a) == before


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_a_trainee_off_the_case_team_gets_404_and_changes_nothing(firm_a, ids, method, path, body):
    trainee = client_for(firm_a, "trainee")
    before = row_counts(firm_a)
    response = _call(trainee, method, path.format(**ids), body)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert row_counts(firm_a) == before


def test_a_notification_cannot_be_marked_read_by_anyone_but_its_recipient(firm_a, ids):
    response = client_for(firm_a, "associate").post(f"/api/notifications/{ids['notification']}/read/")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    with firm_a.scope():
        assert Notification.objects.get(pk=ids["notification"]).read_at is None


def test_lists_of_another_firm_show_nothing_of_firm_a(firm_a, firm_b, ids):
    outsider = client_for(firm_b, "partner")
    assert outsider.get("/api/cases/").json()["results"] == []
    assert outsider.get("/api/my-work/").json() == {"my_tasks": [], "to_review": []}
    assert outsider.get("/api/notifications/").json()["results"] == []


def test_a_trainee_lists_no_case_they_are_not_on(firm_a, ids):
    assert client_for(firm_a, "trainee").get("/api/cases/").json()["results"] == []


def test_a_party_check_or_team_member_of_another_case_is_not_found_under_this_one(firm_a, case_a, ids):
    partner = client_for(firm_a, "partner")
    other = partner.post("/api/cases/", {"reference": "O-1", "title_en": "Other matter"}, format="json").json()
    before = row_counts(firm_a)
    for method, path in [
        ("delete", f"/api/cases/{other['id']}/parties/{ids['party']}/"),
        ("post", f"/api/cases/{other['id']}/conflict-checks/{ids['check']}/clear/"),
        ("delete", f"/api/cases/{other['id']}/team/{ids['member']}/"),
    ]:
        response = _call(partner, method, path, {"reason": "Consent of both clients on file"})
        assert (response.status_code, response.json()) == (404, NOT_FOUND), path
    assert row_counts(firm_a) == before


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/cases/", {"reference": "X-1", "title_en": "X", "responsible_partner": "{b_partner}"},
     "responsible_partner"),
    ("/api/cases/", {"reference": "X-1", "title_en": "X", "team": ["{b_partner}"]}, "team"),
    ("/api/cases/{case}/team/", {"member": "{b_partner}"}, "member"),
    ("/api/cases/{case}/tasks/", {"title": "T", "assignee": "{b_partner}"}, "assignee"),
    ("/api/cases/{case}/tasks/", {"title": "T", "reviewer": "{b_partner}"}, "reviewer"),
])
def test_another_firms_member_in_a_payload_is_not_a_member_of_this_firm(firm_a, firm_b, ids, path, body, field):
    b_partner = firm_b.members["partner"].pk
    resolved = {k: ([b_partner] if v == ["{b_partner}"] else b_partner if v == "{b_partner}" else v)
                for k, v in body.items()}
    before = row_counts(firm_a)
    response = client_for(firm_a, "partner").post(path.format(**ids), resolved, format="json")
    assert response.status_code == 400
    assert "Not a member of this firm." in str(response.json()["fields"][field])
    assert str(firm_b.members["partner"].user) not in response.content.decode()
    assert row_counts(firm_a) == before


def test_a_person_without_a_firm_is_refused_everywhere(api_client, firm_a, case_a):
    from firms import services

    with as_the_firm(firm_a):
        outsider = services.person_create(email="client@example.test", password="x" * 12, name_en="A Client")
    api_client.force_authenticate(outsider)
    for path in ("/api/cases/", f"/api/cases/{case_a.pk}/", "/api/my-work/", "/api/notifications/"):
        response = api_client.get(path)
        assert (response.status_code, response.json()["code"]) == (403, "not_a_member"), path


def test_no_token_gets_401_not_404(api_client, case_a):
    assert api_client.get(f"/api/cases/{case_a.pk}/").status_code == 401


def test_the_openapi_schema_validates_with_no_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text()
    for path in ("/api/cases/{case_id}/tasks/", "/api/tasks/{task_id}/status/", "/api/my-work/",
                 "/api/cases/{case_id}/conflict-checks/{check_id}/clear/", "/api/notifications/"):
        assert f"{path}:" in schema


def test_a_view_cannot_quietly_replace_the_scoping_step():
    from cases.api.base import CaseScopedView

    with pytest.raises(TypeError, match="must not override initial"):
        type("CarelessView", (CaseScopedView,), {"initial": lambda self, request, *args, **kwargs: None})
