"""Cases belong to a firm and its case teams: another firm's person gets 404, never the data."""

import pytest

from tests.conftest import token_for


@pytest.mark.parametrize("path", ["/cases/{id}/", "/api/cases/{id}/"])
def test_another_firms_partner_gets_404_for_a_case(client, firm_a, firm_b, case_a, path):
    client.force_login(firm_b.user("partner"))
    response = client.get(path.format(id=case_a.pk))
    assert response.status_code == 404
    assert "Alpha v Omega" not in response.content.decode()


def test_another_firms_token_gets_404_json(api_client, firm_a, firm_b, case_a):
    response = api_client.get(f"/api/cases/{case_a.pk}/",
                              HTTP_AUTHORIZATION=f"Token {token_for(firm_b.user('admin'))}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_missing_case_and_another_firms_case_look_the_same(api_client, firm_a, firm_b, case_a):
    auth = {"HTTP_AUTHORIZATION": f"Token {token_for(firm_b.user('partner'))}"}
    theirs = api_client.get(f"/api/cases/{case_a.pk}/", **auth)
    missing = api_client.get("/api/cases/999999999/", **auth)
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())


def test_the_case_team_and_partners_see_the_case(client, firm_a, case_a):
    for role in ("associate", "partner", "admin"):
        client.force_login(firm_a.user(role))
        assert client.get(f"/api/cases/{case_a.pk}/").json()["reference"] == "A-1", role


def test_a_trainee_off_the_case_team_gets_404(client, firm_a, case_a):
    client.force_login(firm_a.user("trainee"))
    assert client.get(f"/cases/{case_a.pk}/").status_code == 404
    assert client.get(f"/api/cases/{case_a.pk}/").status_code == 404


def test_case_lists_show_only_the_firms_cases(client, firm_a, firm_b, case_a):
    client.force_login(firm_b.user("partner"))
    assert client.get("/api/cases/").json()["results"] == []
    client.force_login(firm_a.user("partner"))
    assert [c["reference"] for c in client.get("/api/cases/").json()["results"]] == ["A-1"]


def test_the_audit_page_shows_only_the_firms_own_entries(client, firm_a, firm_b, case_a):
    client.force_login(firm_b.user("partner"))
    page = client.get("/audit/")
    assert page.status_code == 200
    assert all(entry.firm_id == firm_b.firm.pk for entry in page.context["entries"])
    assert len(page.context["entries"]) > 0


def test_the_audit_page_is_for_partners_admins_and_compliance(client, firm_a):
    client.force_login(firm_a.user("associate"))
    assert client.get("/audit/").status_code == 403
