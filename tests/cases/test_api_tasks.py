"""Task trees, single tasks and My work through the API. Refused changes save nothing."""

import datetime

import pytest

from cases.models import Task
from cases.services import task_create, task_set_status, task_update
from tests.cases.test_api_support import as_the_firm, client_for, queries_for, row_counts

OPENED = datetime.date(2024, 3, 1)   # case_a's opening day


@pytest.fixture
def tree(firm_a, case_a):
    """case_a's template tasks replaced by: Discovery > (List > Emails, Inspect)."""
    associate = client_for(firm_a, "associate")
    with firm_a.scope():
        Task.objects.filter(case=case_a).delete()

    def create(title, parent=None, **fields):
        response = associate.post(f"/api/cases/{case_a.pk}/tasks/",
                                  {"title": title, "parent": parent, **fields}, format="json")
        assert response.status_code == 201, response.content
        return response.json()["id"]

    top = create("Discovery")
    middle = create("List", parent=top)
    leaf = create("Emails", parent=middle, due_date="2024-04-01")
    other = create("Inspect", parent=top)
    return {"top": top, "middle": middle, "leaf": leaf, "other": other}


def _node(nodes, title):
    for node in nodes:
        if node["title"] == title:
            return node
        found = _node(node["children"], title)
        if found:
            return found
    return None


def test_the_tree_rolls_progress_up_from_the_leaves(firm_a, case_a, tree):
    associate = client_for(firm_a, "associate")
    done = associate.post(f"/api/tasks/{tree['leaf']}/status/", {"status": "done"}, format="json")
    assert done.status_code == 200 and done.json()["completed_at"]
    body = associate.get(f"/api/cases/{case_a.pk}/tasks/").json()
    top, = body["tasks"]
    assert (top["leaves_done"], top["leaves_total"], top["progress_percent"]) == (1, 2, 50)
    assert [c["title"] for c in top["children"]] == ["List", "Inspect"]
    assert _node(body["tasks"], "List")["progress_percent"] == 100
    assert body["progress"] == {"done": 1, "total": 2, "percent": 50}


def test_a_cancelled_leaf_does_not_count(firm_a, case_a, tree):
    associate = client_for(firm_a, "associate")
    associate.post(f"/api/tasks/{tree['other']}/status/", {"status": "cancelled"}, format="json")
    top, = associate.get(f"/api/cases/{case_a.pk}/tasks/").json()["tasks"]
    assert (top["leaves_done"], top["leaves_total"]) == (0, 1)


def test_a_new_task_gets_its_people_and_dates(firm_a, case_a, tree):
    response = client_for(firm_a, "associate").post(f"/api/cases/{case_a.pk}/tasks/", {
        "title": "Draft the list", "parent": tree["middle"], "priority": "high", "due_date": "2024-05-02",
        "assignee": firm_a.members["associate"].pk, "reviewer": firm_a.members["partner"].pk,
        "estimate_minutes": 90, "description": "Both custodians"}, format="json")
    assert response.status_code == 201, response.content
    task = response.json()
    assert (task["parent"], task["case"], task["priority"], task["due_date"]) == (
        tree["middle"], case_a.pk, "high", "2024-05-02")
    assert (task["assignee"]["id"], task["reviewer"]["name"]) == (
        firm_a.members["associate"].pk, "Partner of Alpha & Co")
    assert task["is_overdue"] is True


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "Too early", "due_date": "2024-02-29"}, "due_date"),
    ({"title": ""}, "title"),
    ({}, "title"),
    ({"title": "T", "due_date": "tomorrow"}, "due_date"),
    ({"title": "T", "priority": "whenever"}, "priority"),
    ({"title": "T", "estimate_minutes": "an hour"}, "estimate_minutes"),
    ({"title": "T", "estimate_minutes": -5}, "estimate_minutes"),
    ({"title": "T", "parent": 999999}, "parent"),
    ({"title": "T", "parent": "Discovery"}, "parent"),
    ({"title": "T", "assignee": 999999}, "assignee"),
    ({"title": "T", "assignee": "{trainee}"}, "assignee"),   # in the firm, not on the team
    ({"title": "T", "status": "done"}, "status"),          # status is set afterwards
])
def test_a_bad_new_task_is_refused_by_field_and_nothing_is_saved(firm_a, case_a, tree, body, field):
    if body.get("assignee") == "{trainee}":
        body = {**body, "assignee": firm_a.members["trainee"].pk}
    before = row_counts(firm_a)
    response = client_for(firm_a, "associate").post(f"/api/cases/{case_a.pk}/tasks/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert row_counts(firm_a) == before


def test_a_parent_from_another_case_is_no_such_task_in_this_case(firm_a, case_a, tree):
    partner = client_for(firm_a, "partner")
    other = partner.post("/api/cases/", {"reference": "O-1", "title_en": "Other"}, format="json").json()
    before = row_counts(firm_a)
    response = partner.post(f"/api/cases/{other['id']}/tasks/", {"title": "T", "parent": tree["top"]}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["parent"] == ["No such task in this case."]
    assert row_counts(firm_a) == before


def test_a_task_is_read_and_edited_by_its_id(firm_a, case_a, tree):
    associate = client_for(firm_a, "associate")
    assert associate.get(f"/api/tasks/{tree['leaf']}/").json()["title"] == "Emails"
    response = associate.patch(f"/api/tasks/{tree['leaf']}/", {
        "title": "E-mails of both custodians", "parent": tree["top"], "due_date": None,
        "assignee": firm_a.members["partner"].pk}, format="json")
    assert response.status_code == 200, response.content
    task = response.json()
    assert (task["title"], task["parent"], task["due_date"], task["assignee"]["role"]) == (
        "E-mails of both custodians", tree["top"], None, "partner")


@pytest.mark.parametrize(("task", "parent"), [("top", "top"), ("top", "leaf"), ("middle", "leaf")])
def test_a_task_cannot_become_its_own_ancestor(firm_a, tree, task, parent):
    before = row_counts(firm_a)
    response = client_for(firm_a, "associate").patch(f"/api/tasks/{tree[task]}/", {"parent": tree[parent]},
                                                     format="json")
    assert response.status_code == 400
    assert "parent" in response.json()["fields"]
    assert row_counts(firm_a) == before
    with firm_a.scope():
        assert Task.objects.get(pk=tree["top"]).parent_id is None


@pytest.mark.parametrize(("body", "field"), [
    ({"due_date": "2024-01-01"}, "due_date"),
    ({"title": "  "}, "title"),
    ({"status": "finished"}, "status"),
    ({"case": 1}, "case"),
    ({"reviewer": "the partner"}, "reviewer"),
])
def test_a_bad_edit_is_refused_by_field_and_nothing_changes(firm_a, tree, body, field):
    before = row_counts(firm_a)
    response = client_for(firm_a, "associate").patch(f"/api/tasks/{tree['leaf']}/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert row_counts(firm_a) == before


def test_an_edit_with_a_refused_status_change_saves_none_of_it(firm_a, tree):
    before = row_counts(firm_a)
    response = client_for(firm_a, "associate").patch(f"/api/tasks/{tree['top']}/",
                                                     {"title": "Renamed", "status": "done"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "open_subtasks")
    assert row_counts(firm_a) == before
    with firm_a.scope():
        assert Task.objects.get(pk=tree["top"]).title == "Discovery"


def test_a_status_can_be_set_by_patch_too(firm_a, tree):
    response = client_for(firm_a, "associate").patch(f"/api/tasks/{tree['leaf']}/", {"status": "in_review"},
                                                     format="json")
    assert (response.status_code, response.json()["status"]) == (200, "in_review")


@pytest.mark.parametrize(("body", "code"), [({"status": "done"}, "open_subtasks"), ({"status": "nearly"}, "invalid"),
                                            ({}, "invalid")])
def test_a_refused_status_change_says_why(firm_a, tree, body, code):
    response = client_for(firm_a, "associate").post(f"/api/tasks/{tree['top']}/status/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert "status" in response.json()["fields"]


def test_the_tree_costs_the_same_queries_for_5_tasks_as_for_30(firm_a, case_a, tree):
    associate = client_for(firm_a, "associate")

    def add(count):
        with as_the_firm(firm_a):
            parent = Task.objects.get(pk=tree["other"])
            for n in range(count):
                task_create(case=case_a, membership=firm_a.members["associate"], title=f"Step {n}", parent=parent,
                            assignee=firm_a.members["associate"], reviewer=firm_a.members["partner"])

    add(1)
    five = queries_for(associate, f"/api/cases/{case_a.pk}/tasks/")
    add(25)
    thirty = queries_for(associate, f"/api/cases/{case_a.pk}/tasks/")
    assert five == thirty


# --- My work -----------------------------------------------------------------------------------


def test_my_work_lists_my_overdue_tasks_first_then_by_date_and_what_i_am_to_review(firm_a, case_a, tree):
    me, partner = firm_a.members["associate"], firm_a.members["partner"]
    with as_the_firm(firm_a):
        task_update(task=Task.objects.get(pk=tree["leaf"]), membership=me, assignee=me)  # due 2024-04-01
        for title, due in [("Someday", None), ("Far", datetime.date(2099, 1, 1)),
                           ("Soon", datetime.date.today() + datetime.timedelta(days=3))]:
            task_create(case=case_a, membership=me, title=title, assignee=me, due_date=due)
        review = task_create(case=case_a, membership=partner, title="Check the bundle", assignee=partner,
                             reviewer=me)
        task_set_status(task=review, membership=partner, status="in_review")
        finished = task_create(case=case_a, membership=me, title="Finished", assignee=me, due_date=OPENED)
        task_set_status(task=finished, membership=me, status="done")
    work = client_for(firm_a, "associate").get("/api/my-work/").json()
    assert [t["title"] for t in work["my_tasks"]] == ["Emails", "Soon", "Far", "Someday"]
    assert [t["is_overdue"] for t in work["my_tasks"]] == [True, False, False, False]
    assert work["my_tasks"][0]["case_summary"]["reference"] == "A-1"
    assert [(t["title"], t["assignee"]["role"]) for t in work["to_review"]] == [("Check the bundle", "partner")]
    assert client_for(firm_a, "partner").get("/api/my-work/").json()["to_review"] == []


def test_my_work_costs_the_same_queries_for_5_tasks_as_for_30(firm_a, case_a):
    me, partner = firm_a.members["associate"], firm_a.members["partner"]
    associate = client_for(firm_a, "associate")

    def add(count):
        with as_the_firm(firm_a):
            for n in range(count):
                task_create(case=case_a, membership=partner, title=f"Mine {n}", assignee=me, reviewer=partner)
                review = task_create(case=case_a, membership=me, title=f"Theirs {n}", assignee=partner, reviewer=me)
                task_set_status(task=review, membership=partner, status="in_review")

    add(5)
    five = queries_for(associate, "/api/my-work/")
    add(25)
    thirty = queries_for(associate, "/api/my-work/")
    assert len(associate.get("/api/my-work/").json()["to_review"]) == 30
    assert five == thirty
