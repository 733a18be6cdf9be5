"""Every case page and every form endpoint: the team and partners get in; another firm's partner
and a trainee off the team get 404 (never the data, never a change)."""

import re

import pytest

from audit.models import AuditEntry
from cases.models import Case, Note, Party, Task
from tests.cases.test_pages_helpers import as_firm, count

GET_PAGES = [
    "/cases/{case}/",
    "/cases/{case}/edit/",
    "/cases/{case}/tasks/",
    "/cases/{case}/tasks/tree/",
    "/cases/{case}/tasks/new/",
    "/cases/{case}/tasks/{task}/edit/",
    "/cases/{case}/documents/",
    "/cases/{case}/calendar/",
    "/cases/{case}/notes/",
    "/cases/{case}/timeline/",
    "/cases/{case}/timeline/more/?before=999999",
    "/cases/{case}/parties/",
    "/cases/{case}/team/",
    "/cases/{case}/conflicts/",
]

POSTS = [
    ("/cases/{case}/edit/", {"title_en": "Sneaky", "practice_area": "civil", "stage": "intake",
                             "status": "closed"}),
    ("/cases/{case}/tasks/new/", {"new-title": "Sneaky", "new-priority": "normal"}),
    ("/cases/{case}/tasks/{task}/edit/", {"edit-title": "Renamed", "edit-priority": "normal"}),
    ("/cases/{case}/tasks/{task}/status/", {"status": "done"}),
    ("/cases/{case}/notes/add/", {"note-kind": "note", "note-body": "Sneaky note"}),
    ("/cases/{case}/parties/add/", {"party-role": "defendant", "party-kind": "person", "party-name_en": "X"}),
    ("/cases/{case}/parties/{party}/remove/", {}),
    ("/cases/{case}/team/add/", {"team-membership": "{member}"}),
    ("/cases/{case}/team/{member}/remove/", {}),
    ("/cases/{case}/team/access/", {"grant-membership": "{member}"}),
    ("/cases/{case}/conflicts/run/", {}),
    ("/cases/{case}/conflicts/{check}/clear/", {"reason": "Different people altogether."}),
]


@pytest.fixture
def ids(firm_a, case_a):
    with as_firm(firm_a):
        return {
            "case": case_a.pk,
            "task": Task.objects.filter(case=case_a).order_by("pk").first().pk,
            "party": Party.objects.filter(case=case_a).order_by("pk").first().pk,
            "check": case_a.conflict_checks.order_by("-pk").first().pk,
            "member": firm_a.members["associate"].pk,
        }


def _fill(template, ids):
    return template.format(**ids)


def _snapshot(world, case_id):
    with world.scope():
        return (Task.objects.filter(case_id=case_id).count(), Note.objects.filter(case_id=case_id).count(),
                Party.objects.filter(case_id=case_id).count(),
                AuditEntry.objects.filter(case_id=case_id).count(),
                sorted(Task.objects.filter(case_id=case_id).values_list("title", "status")))


@pytest.mark.parametrize("path", GET_PAGES)
@pytest.mark.parametrize("role", ["associate", "partner", "admin", "compliance"])
def test_the_team_and_firm_wide_roles_see_every_case_page(client, firm_a, ids, path, role):
    client.force_login(firm_a.user(role))
    response = client.get(_fill(path, ids))
    assert response.status_code == 200, response.content.decode()[:2000]


@pytest.mark.parametrize("path", GET_PAGES)
def test_another_firms_partner_gets_404_on_every_case_page(client, firm_a, firm_b, ids, path):
    client.force_login(firm_b.user("partner"))
    response = client.get(_fill(path, ids))
    assert response.status_code == 404
    assert "Alpha v Omega" not in response.content.decode()


@pytest.mark.parametrize("path", GET_PAGES)
def test_a_trainee_off_the_team_gets_404_on_every_case_page(client, firm_a, ids, path):
    client.force_login(firm_a.user("trainee"))
    assert client.get(_fill(path, ids)).status_code == 404


@pytest.mark.parametrize("path,data", POSTS)
@pytest.mark.parametrize("who", [("b", "partner"), ("a", "trainee")])
def test_outsiders_get_404_from_every_form_and_nothing_changes(client, firm_a, firm_b, ids, path, data, who):
    world = {"a": firm_a, "b": firm_b}[who[0]]
    before = _snapshot(firm_a, ids["case"])
    client.force_login(world.user(who[1]))
    headers = {"HTTP_HX_REQUEST": "true"} if "status" in path else {}
    response = client.post(_fill(path, ids), {k: _fill(v, ids) for k, v in data.items()}, **headers)
    assert response.status_code == 404
    assert "Alpha v Omega" not in response.content.decode()
    assert _snapshot(firm_a, ids["case"]) == before


def test_a_missing_case_and_another_firms_case_look_the_same(client, firm_a, firm_b, case_a):
    client.force_login(firm_b.user("partner"))
    theirs = client.get(f"/cases/{case_a.pk}/tasks/")
    missing = client.get("/cases/999999999/tasks/")
    assert theirs.status_code == missing.status_code == 404

    def without_tokens(response):  # the CSRF token and the language switch's "next" path differ
        content = re.sub(rb"[A-Za-z0-9]{64}", b"TOKEN", response.content)
        return re.sub(rb"/cases/\d+/", b"/cases/ID/", content)

    assert without_tokens(theirs) == without_tokens(missing)


def test_a_task_of_another_case_is_404_under_this_case(client, firm_a, case_a):
    from tests.cases.test_pages_helpers import make_case

    other = make_case(firm_a, "A-2", parties=[])
    with firm_a.scope():
        task = Task.objects.filter(case=case_a).first()
    client.force_login(firm_a.user("partner"))
    assert client.post(f"/cases/{other.pk}/tasks/{task.pk}/status/", {"status": "done"}).status_code == 404
    assert client.get(f"/cases/{other.pk}/tasks/{task.pk}/edit/").status_code == 404


def test_only_partners_admins_and_supervisors_change_the_team(client, firm_a, case_a):
    trainee = firm_a.members["trainee"]
    client.force_login(firm_a.user("associate"))
    page = client.get(f"/cases/{case_a.pk}/team/").content.decode()
    assert "Add someone to the team" not in page
    response = client.post(f"/cases/{case_a.pk}/team/add/", {"team-membership": trainee.pk})
    assert response.status_code == 403
    assert count(firm_a, Case, pk=case_a.pk, team__membership=trainee) == 0

    client.force_login(firm_a.user("partner"))
    response = client.post(f"/cases/{case_a.pk}/team/add/", {"team-membership": trainee.pk})
    assert response.status_code == 302
    assert count(firm_a, Case, pk=case_a.pk, team__membership=trainee) == 1
    client.force_login(firm_a.user("trainee"))
    assert client.get(f"/cases/{case_a.pk}/").status_code == 200

    client.force_login(firm_a.user("partner"))
    assert client.post(f"/cases/{case_a.pk}/team/{trainee.pk}/remove/").status_code == 302
    client.force_login(firm_a.user("trainee"))
    assert client.get(f"/cases/{case_a.pk}/").status_code == 404


def test_an_access_exception_lets_one_person_see_the_case(client, firm_a, case_a):
    client.force_login(firm_a.user("partner"))
    response = client.post(f"/cases/{case_a.pk}/team/access/", {"grant-membership": firm_a.members["trainee"].pk})
    assert response.status_code == 302
    client.force_login(firm_a.user("trainee"))
    assert client.get(f"/cases/{case_a.pk}/timeline/").status_code == 200
    assert "Trainee of Alpha" in client.get(f"/cases/{case_a.pk}/team/").content.decode()
