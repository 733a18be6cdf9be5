"""Editing a case's own details on a page: the same service and the same refusals as the API
(PATCH /api/cases/<id>/), errors beside the fields, nothing half-saved, every change audited."""

import datetime

import pytest

from audit.models import AuditEntry
from cases.models import Case
from tests.cases.test_pages_helpers import count, make_case

FORM = {
    "title_en": "Alpha v Omega", "title_zh": "阿爾法 訴 奧米加", "case_number": "HCA 1234/2024", "court": "CFI",
    "practice_area": "civil", "stage": "intake", "tags": "", "status": "open", "responsible_partner": "",
    "closed_on": "",
}


def form_for(world, **changes):
    """What the page's form sends for case_a as it is, with some changes."""
    return {**FORM, "responsible_partner": world.members["partner"].pk, **changes}


def case_row(world, case):
    with world.scope():
        return Case.objects.get(pk=case.pk)


def audit_count(world, case):
    return count(world, AuditEntry, case_id=case.pk)


@pytest.fixture
def url(case_a):
    return f"/cases/{case_a.pk}/edit/"


def test_the_overview_links_to_the_edit_page(client, firm_a, case_a, url):
    client.force_login(firm_a.user("associate"))
    page = client.get(f"/cases/{case_a.pk}/").content.decode()
    assert f'href="{url}"' in page and "Edit details" in page


def test_a_partner_edits_the_details_and_the_service_audits_them(client, firm_a, case_a, url):
    client.force_login(firm_a.user("partner"))
    page = client.get(url).content.decode()
    assert 'value="Alpha v Omega"' in page and 'name="status"' in page  # the partner manages the case
    before = audit_count(firm_a, case_a)
    response = client.post(url, form_for(firm_a, title_en="Alpha Trading v Omega Shipping", stage="pleadings",
                                         tags="bank,  urgent，bank", status="closed"))
    assert response.status_code == 302 and response.url == f"/cases/{case_a.pk}/"
    case = case_row(firm_a, case_a)
    assert (case.title_en, case.stage, case.tags, case.status, case.closed_on) == (
        "Alpha Trading v Omega Shipping", "pleadings", ["bank", "urgent"], "closed", datetime.date.today())
    assert case.case_number == "HCA 1234/2024" and case.title_zh == "阿爾法 訴 奧米加"  # untouched
    with firm_a.scope():
        entry = AuditEntry.objects.filter(case_id=case_a.pk, action="case.update").latest("seq")
    assert audit_count(firm_a, case_a) == before + 1
    assert set(entry.changes) == {"title_en", "stage", "tags", "status", "closed_on"}
    assert entry.actor_user_id == firm_a.user("partner").pk
    page = client.get(response.url).content.decode()
    assert "The case details are saved." in page and "Alpha Trading v Omega Shipping" in page


def test_saving_without_changes_changes_nothing(client, firm_a, case_a, url):
    client.force_login(firm_a.user("partner"))
    before = audit_count(firm_a, case_a)
    response = client.post(url, form_for(firm_a))
    assert response.status_code == 302
    assert audit_count(firm_a, case_a) == before
    assert "Nothing was changed." in client.get(response.url).content.decode()


def test_a_team_member_edits_the_details_but_not_the_status(client, firm_a, case_a, url):
    """As through the API: anyone who may see the case changes its titles, number and stage; the
    status, responsible partner and closing date are for partners, the admin and supervisors."""
    client.force_login(firm_a.user("associate"))
    page = client.get(url).content.decode()
    assert 'name="title_en"' in page
    assert 'name="status"' not in page and 'name="responsible_partner"' not in page
    assert "Only a partner, the firm admin or the case's supervisor can change the status" in page
    without_managers = {k: v for k, v in FORM.items() if k not in ("status", "responsible_partner", "closed_on")}
    response = client.post(url, {**without_managers, "stage": "pleadings"})
    assert response.status_code == 302
    assert case_row(firm_a, case_a).stage == "pleadings"

    # Sending the status anyway is refused by the service: 403, as the API answers, and nothing saved.
    before = audit_count(firm_a, case_a)
    response = client.post(url, {**without_managers, "stage": "trial", "status": "closed"})
    assert response.status_code == 403
    case = case_row(firm_a, case_a)
    assert (case.status, case.stage) == ("open", "pleadings")
    assert audit_count(firm_a, case_a) == before
    api = client.patch(f"/api/cases/{case_a.pk}/", {"status": "closed"}, content_type="application/json")
    assert api.status_code == 403  # the same answer the API gives


@pytest.mark.parametrize("who", [("b", "partner"), ("a", "trainee")])
def test_outsiders_get_404_and_nothing_changes(client, firm_a, firm_b, case_a, url, who):
    world = {"a": firm_a, "b": firm_b}[who[0]]
    before = audit_count(firm_a, case_a)
    client.force_login(world.user(who[1]))
    assert client.get(url).status_code == 404
    response = client.post(url, form_for(firm_a, title_en="Taken over"))
    assert response.status_code == 404
    assert "Alpha v Omega" not in response.content.decode()
    assert case_row(firm_a, case_a).title_en == "Alpha v Omega"
    assert audit_count(firm_a, case_a) == before


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title_en": ""}, "title_en", "Enter a title for the case."),
    ({"case_number": "HCA 1234"}, "case_number", "Enter a case number like HCA 1234/2024."),
    ({"case_number": "HCA 5/24"}, "case_number", "Write the year in full"),
    ({"case_number": "DCCJ 5/2025"}, "court", "numbers belong to the"),
    ({"closed_on": "soon"}, "closed_on", "Enter a valid date."),
    ({"stage": "finished"}, "stage", "Select a valid choice."),
    ({"status": "pending"}, "status", "Select a valid choice."),
])
def test_bad_input_is_refused_beside_the_field_and_nothing_is_saved(client, firm_a, case_a, url, changes,
                                                                     field, message):
    client.force_login(firm_a.user("partner"))
    before = audit_count(firm_a, case_a)
    # The good change sent with the bad one is not saved either.
    response = client.post(url, form_for(firm_a, title_zh="新標題", **changes))
    page = response.content.decode()
    assert response.status_code == 400, page[:2000]
    assert "There is a problem" in page and f'href="#id_{field}"' in page
    assert message in page
    assert 'value="新標題"' in page  # what was typed is kept
    case = case_row(firm_a, case_a)
    assert (case.title_zh, case.case_number, case.status) == ("阿爾法 訴 奧米加", "HCA 1234/2024", "open")
    assert audit_count(firm_a, case_a) == before


def test_a_number_taken_by_another_case_is_refused(client, firm_a, case_a, url):
    make_case(firm_a, "A-2", parties=[], case_number="HCA 77/2024")
    client.force_login(firm_a.user("partner"))
    before = audit_count(firm_a, case_a)
    response = client.post(url, form_for(firm_a, case_number="HCA 77/2024", title_zh="新標題"))
    assert response.status_code == 400
    assert "This number is taken." in response.content.decode()
    assert case_row(firm_a, case_a).case_number == "HCA 1234/2024"
    assert audit_count(firm_a, case_a) == before


def test_an_unknown_prefix_asks_for_the_override_and_then_saves(client, firm_a, case_a, url):
    client.force_login(firm_a.user("partner"))
    response = client.post(url, form_for(firm_a, case_number="QQQ 1/2024", court="", title_en=""))
    page = response.content.decode()
    assert response.status_code == 400
    assert "is not a court prefix we know" in page and 'name="unlisted_prefix_ok"' in page
    assert "Enter a title for the case." in page  # every problem at once
    assert case_row(firm_a, case_a).case_number == "HCA 1234/2024"
    response = client.post(url, form_for(firm_a, case_number="QQQ 1/2024", court="", unlisted_prefix_ok="on"))
    assert response.status_code == 302
    case = case_row(firm_a, case_a)
    assert (case.case_number, case.case_number_unlisted_prefix) == ("QQQ 1/2024", True)
