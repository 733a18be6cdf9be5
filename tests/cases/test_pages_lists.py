"""The case list (search, filters, sort, pages in the URL), query counts that do not grow with the
rows shown, the inline HTMX status change, and the timeline's "load more"."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from cases.models import Task
from tests.cases.test_pages_helpers import as_firm, count, make_case, make_tasks


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_search_finds_title_number_reference_and_party_names(client, firm_a, case_a):
    make_case(firm_a, "A-2", title="Zeta v Eta", parties=[
        {"role": "plaintiff", "name_en": "CHAN Tai Man", "name_zh": "陳大文", "kind": "person", "is_client": True}])
    client.force_login(firm_a.user("partner"))
    for query, expected, not_expected in [
        ("阿爾法貿易", "Alpha v Omega", "Zeta v Eta"),  # a party's Chinese name
        ("陳大文", "Zeta v Eta", "Alpha v Omega"),
        ("chan tai", "Zeta v Eta", "Alpha v Omega"),  # a party's English name
        ("hca001234/2024", "Alpha v Omega", "Zeta v Eta"),  # the case number however typed
        ("A-2", "Zeta v Eta", "Alpha v Omega"),
    ]:
        page = client.get("/cases/", {"q": query}).content.decode()
        assert expected in page and not_expected not in page, query


def test_filters_and_sort_live_in_the_url(client, firm_a, case_a):
    make_case(firm_a, "A-2", title="Zeta v Eta", stage="pleadings", practice_area="employment",
              case_number="DCCJ 5/2025")
    client.force_login(firm_a.user("partner"))
    page = client.get("/cases/?stage=pleadings&practice_area=employment&court=DC").content.decode()
    assert "Zeta v Eta" in page and "Alpha v Omega" not in page
    assert '<option value="pleadings" selected>' in page  # the filter shows as chosen
    page = client.get("/cases/?sort=reference").content.decode()
    assert page.index("A-1") < page.index("A-2")
    assert 'aria-sort="ascending"' in page and "sort=-reference" in page
    page = client.get("/cases/?sort=-reference").content.decode()
    assert page.index("A-2") < page.index("A-1")
    me = firm_a.members["associate"].pk
    page = client.get(f"/cases/?lawyer={me}&status=open").content.decode()
    assert "Alpha v Omega" in page and "Zeta v Eta" in page
    page = client.get(f"/cases/?lawyer={firm_a.members['trainee'].pk}").content.decode()
    assert "No cases match these filters." in page


def test_the_list_shows_clients_and_the_next_due_date(client, firm_a, case_a):
    make_tasks(firm_a, case_a, 1, due_date=datetime.date(2024, 3, 4))
    client.force_login(firm_a.user("associate"))
    page = client.get("/cases/").content.decode()
    assert "阿爾法貿易有限公司 Alpha Trading Limited" in page
    assert "Mon 4 Mar 2024" in page and "overdue" in page


def test_pagination_keeps_the_filters(client, firm_a):
    for i in range(52):
        make_case(firm_a, f"P-{i:03}", parties=[])
    client.force_login(firm_a.user("partner"))
    page = client.get("/cases/?status=open&sort=reference").content.decode()
    assert "Page 1 of 2" in page
    assert "?status=open&amp;sort=reference&amp;page=2" in page
    page = client.get("/cases/?status=open&sort=reference&page=2").content.decode()
    assert "P-051" in page and "P-000" not in page


def test_the_case_list_does_not_query_more_for_more_rows(client, firm_a):
    client.force_login(firm_a.user("associate"))
    for i in range(5):
        make_case(firm_a, f"Q-{i}")
    five = queries_for(client, "/cases/")
    for i in range(5, 30):
        make_case(firm_a, f"Q-{i}")
    assert queries_for(client, "/cases/") == five


@pytest.mark.parametrize("tab", ["", "tasks/", "timeline/", "notes/", "parties/", "team/", "conflicts/",
                                 "documents/"])
def test_a_case_page_does_not_query_more_for_more_rows(client, firm_a, case_a, tab):
    from cases.services import case_team_add, note_add, party_add, task_create

    def grow(n):
        with as_firm(firm_a):
            for i in range(n):
                parent = task_create(case=case_a, membership=firm_a.members["associate"], title=f"T{i}",
                                     assignee=firm_a.members["associate"], reviewer=firm_a.members["partner"],
                                     due_date=datetime.date(2030, 1, 1))
                task_create(case=case_a, membership=firm_a.members["associate"], title=f"S{i}", parent=parent)
                note_add(case=case_a, membership=firm_a.members["associate"], body=f"Note {i} for @partner")
                party_add(case=case_a, membership=firm_a.members["associate"], role="third_party",
                          name_en=f"Person Number {i}", check_conflicts=False)

    def join(role):
        with as_firm(firm_a):
            case_team_add(case=case_a, membership=firm_a.members[role], by=None)

    client.force_login(firm_a.user("associate"))
    grow(5)
    join("trainee")
    url = f"/cases/{case_a.pk}/{tab}"
    five = queries_for(client, url)
    grow(25)
    join("secretary")
    assert queries_for(client, url) == five


def test_an_inline_status_change_returns_the_tree_and_is_audited(client, firm_a, case_a):
    [parent] = make_tasks(firm_a, case_a, 1)
    [child] = make_tasks(firm_a, case_a, 1, parent=parent)
    client.force_login(firm_a.user("associate"))
    url = f"/cases/{case_a.pk}/tasks/{child.pk}/status/"
    response = client.post(url, {"status": "done"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and 'id="task-tree"' in page  # the fragment only
    assert 'hx-swap-oob="innerHTML"' in page  # the case's progress in the header follows
    assert "Saved." in page and "Undo" in page and "1 of 1 done" in page
    with firm_a.scope():
        child.refresh_from_db()
        entry = AuditEntry.objects.filter(case_id=case_a.pk, action="task.status").latest("seq")
    assert child.status == "done"
    assert entry.object_id == str(child.pk) and entry.changes["status"] == ["todo", "done"]
    assert entry.actor_user_id == firm_a.user("associate").pk


def test_an_inline_status_change_that_is_refused_says_why_on_the_row(client, firm_a, case_a):
    [parent] = make_tasks(firm_a, case_a, 1)
    make_tasks(firm_a, case_a, 1, parent=parent)
    entries = count(firm_a, AuditEntry, case_id=case_a.pk)
    client.force_login(firm_a.user("associate"))
    response = client.post(f"/cases/{case_a.pk}/tasks/{parent.pk}/status/", {"status": "done"},
                           HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 400
    assert f'id="task-{parent.pk}-status-error"' in page
    assert "Finish or cancel its subtasks first." in page
    assert count(firm_a, Task, pk=parent.pk, status="todo") == 1
    assert count(firm_a, AuditEntry, case_id=case_a.pk) == entries

    # Without HTMX: the whole page, the error summary and the message on the row.
    response = client.post(f"/cases/{case_a.pk}/tasks/{parent.pk}/status/", {"status": "done"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and f'href="#task-{parent.pk}-status"' in page


def test_a_status_change_without_htmx_redirects_to_the_task(client, firm_a, case_a):
    [task] = make_tasks(firm_a, case_a, 1)
    client.force_login(firm_a.user("associate"))
    response = client.post(f"/cases/{case_a.pk}/tasks/{task.pk}/status/", {"status": "in_progress"})
    assert response.status_code == 302 and response.url.endswith(f"/tasks/#task-{task.pk}")


def test_the_timeline_filters_and_loads_more_with_before(client, firm_a, case_a):
    from cases.selectors.timeline import PAGE_SIZE

    make_tasks(firm_a, case_a, PAGE_SIZE + 5)
    client.force_login(firm_a.user("associate"))
    page = client.get(f"/cases/{case_a.pk}/timeline/?kind=task").content.decode()
    assert "added the task “Task 0”" not in page  # the oldest are on the next page
    assert f"added the task “Task {PAGE_SIZE + 4}”" in page
    assert 'hx-trigger="click, revealed"' in page
    with firm_a.scope():
        last_shown = AuditEntry.objects.filter(case_id=case_a.pk, action__startswith="task.").order_by(
            "-seq")[PAGE_SIZE - 1].seq
    assert f"before={last_shown}" in page
    more = client.get(f"/cases/{case_a.pk}/timeline/more/?kind=task&before={last_shown}",
                      HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in more and "added the task “Task 0”" in more
    assert "created the case" not in more  # filtered to tasks
    page = client.get(f"/cases/{case_a.pk}/timeline/?kind=party").content.decode()
    assert "added a party: Plaintiff" in page and "Alpha Trading Limited" in page
    assert "ran the conflict check: no conflicts" in page
    page = client.get(f"/cases/{case_a.pk}/timeline/?person={firm_a.user('partner').pk}").content.decode()
    assert "Nothing of this kind has happened yet." in page


def test_the_lawyer_menu_lists_the_firm_and_marks_the_chosen_one(client, firm_a, case_a):
    from django.utils.html import escape

    client.force_login(firm_a.user("partner"))
    trainee = firm_a.members["trainee"]
    page = client.get(f"/cases/?lawyer={trainee.pk}").content.decode()
    assert f'<option value="{trainee.pk}" selected>{escape(trainee.user.display_name)}</option>' in page
    for member in firm_a.members.values():
        assert f'<option value="{member.pk}"' in page


def test_row_links_built_from_one_prefix_are_the_reversed_urls(client, firm_a, case_a):
    from django.urls import reverse

    [task] = make_tasks(firm_a, case_a, 1, due_date=datetime.date(2030, 1, 1), assignee=firm_a.members["associate"])
    client.force_login(firm_a.user("associate"))
    page = client.get("/cases/").content.decode()
    assert f'href="{reverse("cases:detail", args=[case_a.pk])}"' in page
    page = client.get(f"/cases/{case_a.pk}/tasks/").content.decode()
    for name in ("cases:task-edit", "cases:task-status"):
        assert f'"{reverse(name, args=[case_a.pk, task.pk])}"' in page
    assert f'href="{reverse("cases:task-new", args=[case_a.pk])}?parent={task.pk}"' in page
    page = client.get("/my-work/").content.decode()
    assert f'href="{reverse("cases:tasks", args=[case_a.pk])}#task-{task.pk}"' in page


def test_my_work_is_paged_overdue_first_with_whole_counts(client, firm_a, case_a):
    from django.utils import timezone

    from cases.services import task_create
    from cases.views.my_work import PAGE_SIZE

    today = timezone.localdate()
    me = firm_a.members["associate"]
    with as_firm(firm_a):
        for i in range(PAGE_SIZE + 5):
            task_create(case=case_a, membership=me, title=f"Later {i:02}", assignee=me,
                        due_date=today + datetime.timedelta(days=30 + i))
        for i in range(3):
            task_create(case=case_a, membership=me, title=f"Late {i}", assignee=me,
                        due_date=today - datetime.timedelta(days=1 + i))
    client.force_login(me.user)
    first = client.get("/my-work/").content.decode()
    assert first.index("Late 2") < first.index("Later 00")
    assert "Page 1 of 2" in first and 'href="/my-work/?page=2"' in first
    assert f'Later and undated <span class="count">{PAGE_SIZE + 5}</span>' in first  # all of them, not this page's
    assert "Later 54" not in first
    second = client.get("/my-work/?page=2").content.decode()
    assert "Later 54" in second and "Late 0" not in second and "Page 2 of 2" in second
    assert "Nothing overdue." not in second  # the overdue ones were on the first page
    home = client.get("/").content.decode()
    assert "Late 2" in home and 'href="/my-work/?page=2"' in home


def test_my_work_does_not_query_more_for_more_tasks(client, firm_a, case_a):
    from cases.services import task_create, task_set_status

    me, partner = firm_a.members["associate"], firm_a.members["partner"]

    def grow(n):
        with as_firm(firm_a):
            for i in range(n):
                task_create(case=case_a, membership=partner, title=f"Mine {i}", assignee=me,
                            due_date=datetime.date(2030, 1, 1))
                review = task_create(case=case_a, membership=me, title=f"Review {i}", assignee=partner,
                                     reviewer=me)
                task_set_status(task=review, membership=partner, status="in_review")

    client.force_login(me.user)
    grow(2)
    few = queries_for(client, "/my-work/")
    grow(30)
    assert queries_for(client, "/my-work/") == few
