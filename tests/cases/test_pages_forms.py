"""The forms of the case pages refuse bad input with a clear message beside the field, keep what
was typed, answer 400, and save nothing; good input goes through the services."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from cases.models import Case, ConflictCheck, Note, Party, Task
from firms.models import Notification
from tests.cases.test_pages_helpers import as_firm, count, make_case, make_tasks

NEW_CASE = {
    "reference": "A-NEW", "title_en": "Delta v Epsilon", "title_zh": "", "case_number": "",
    "court": "", "practice_area": "civil", "stage": "intake", "responsible_partner": "", "opened_on": "",
    "parties-TOTAL_FORMS": "4", "parties-INITIAL_FORMS": "0", "parties-MIN_NUM_FORMS": "0",
    "parties-MAX_NUM_FORMS": "30",
    **{f"parties-{i}-kind": "person" for i in range(4)},
}


def new_case(client, **changes):
    return client.post("/cases/new/", {**NEW_CASE, **changes})


@pytest.fixture
def associate(client, firm_a):
    client.force_login(firm_a.user("associate"))
    return client


def test_the_new_case_form_shows_at_least_four_party_rows(associate):
    page = associate.get("/cases/new/").content.decode()
    for i in range(4):
        assert f'name="parties-{i}-name_en"' in page
    assert 'name="unlisted_prefix_ok"' not in page  # only offered when the prefix is unknown


@pytest.mark.parametrize("number,message", [
    ("HCA 0/24", "Write the year in full"),
    ("HCA 0/2024", "The serial number cannot be 0"),
    (f"HCA 12/{timezone.localdate().year + 1}", "is not possible for a case number"),
    ("not a number", "Enter a case number like HCA 1234/2024."),
])
def test_an_invalid_case_number_is_refused_beside_the_field(associate, firm_a, number, message):
    before = count(firm_a, Case)
    response = new_case(associate, case_number=number, **{"parties-0-role": "plaintiff",
                                                          "parties-0-name_en": "Kept Name Ltd"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert message in page
    assert 'href="#id_case_number"' in page  # the summary links to the field
    assert 'value="Kept Name Ltd"' in page and 'value="Delta v Epsilon"' in page  # nothing typed is lost
    assert count(firm_a, Case) == before


def test_an_unknown_prefix_asks_for_the_override_and_then_saves(associate, firm_a):
    before = count(firm_a, Case)
    response = new_case(associate, case_number="HCZZ 12/2024")
    page = response.content.decode()
    assert response.status_code == 400
    assert "HCZZ is not a court prefix we know" in page
    assert 'name="unlisted_prefix_ok"' in page and "The prefix is right" in page
    assert count(firm_a, Case) == before

    response = new_case(associate, case_number="hczz 012 / 2024", unlisted_prefix_ok="on")
    assert response.status_code == 302
    with firm_a.scope():
        case = Case.objects.get(reference="A-NEW")
    assert (case.case_number, case.case_number_unlisted_prefix) == ("HCZZ 12/2024", True)


def test_a_party_with_no_name_is_refused_on_its_row(associate, firm_a):
    before = (count(firm_a, Case), count(firm_a, Party))
    response = new_case(associate, **{"parties-0-role": "plaintiff", "parties-0-name_en": "Fine Ltd",
                                      "parties-1-role": "defendant", "parties-1-is_client": "on"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Party 2: Enter the party&#x27;s name in English or Chinese (or both)." in page
    assert 'href="#id_parties-1-name_en"' in page
    assert (count(firm_a, Case), count(firm_a, Party)) == before


def test_a_party_added_to_a_case_needs_a_name(associate, firm_a, case_a):
    before = count(firm_a, Party, case=case_a)
    response = associate.post(f"/cases/{case_a.pk}/parties/add/", {"party-role": "defendant",
                                                                   "party-kind": "person"})
    assert response.status_code == 400
    assert "Enter the party&#x27;s name in English or Chinese (or both)." in response.content.decode()
    assert count(firm_a, Party, case=case_a) == before


def test_a_future_opening_date_and_a_taken_reference_are_refused(associate, firm_a, case_a):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = new_case(associate, opened_on=tomorrow.isoformat())
    assert response.status_code == 400
    assert "Choose today or an earlier date." in response.content.decode()
    response = new_case(associate, reference="A-1")
    assert response.status_code == 400
    assert "one is taken" in response.content.decode()
    assert count(firm_a, Case) == 1


def test_a_new_case_without_conflicts_opens_with_its_checklist(associate, firm_a):
    response = new_case(associate, case_number="HCA 77/2025", title_zh="德爾塔 訴 伊普西隆",
                        **{"parties-0-role": "plaintiff", "parties-0-name_en": "Delta Limited",
                           "parties-0-kind": "company", "parties-0-is_client": "on"})
    with firm_a.scope():
        case = Case.objects.get(reference="A-NEW")
        assert case.parties.get().is_client
    assert response.status_code == 302 and response.url == f"/cases/{case.pk}/"
    assert case.status == Case.Status.OPEN
    page = associate.get(response.url).content.decode()
    assert "HCA 77/2025" in page and "德爾塔 訴 伊普西隆" in page and "Delta Limited" in page
    assert "Court of First Instance" in page  # worked out from the prefix
    assert "No conflicts found" in page


def test_a_conflict_hit_leaves_the_case_pending_until_a_partner_clears_it(client, firm_a, case_a):
    client.force_login(firm_a.user("associate"))
    response = new_case(client, **{"parties-0-role": "defendant", "parties-0-name_en": "Alpha Trading Ltd",
                                   "parties-0-name_zh": "阿爾法貿易有限公司", "parties-0-kind": "company"})
    with firm_a.scope():
        case = Case.objects.get(reference="A-NEW")
    assert response.status_code == 302 and response.url == f"/cases/{case.pk}/conflicts/"
    assert case.status == Case.Status.PENDING
    page = client.get(response.url).content.decode()
    assert "Awaiting conflict clearance" in page
    assert "阿爾法貿易有限公司" in page and "A-1" in page and "Alpha v Omega" in page  # the hit snapshot
    assert "Clear the conflict check" not in page  # an associate cannot clear
    with firm_a.scope():
        check = ConflictCheck.objects.filter(case=case).latest("pk")
    assert client.post(f"/cases/{case.pk}/conflicts/{check.pk}/clear/",
                       {"reason": "Not the same company at all."}).status_code == 403

    client.force_login(firm_a.user("partner"))
    page = client.get(f"/cases/{case.pk}/conflicts/").content.decode()
    assert "Clear the conflict check" in page
    response = client.post(f"/cases/{case.pk}/conflicts/{check.pk}/clear/", {"reason": "too short"})
    assert response.status_code == 400
    assert "at least 10 characters" in response.content.decode()
    assert 'href="#id_reason"' in response.content.decode()
    assert count(firm_a, Case, pk=case.pk, status=Case.Status.PENDING) == 1

    reason = "Different company: the hit is our own client's group, confirmed with the registry."
    response = client.post(f"/cases/{case.pk}/conflicts/{check.pk}/clear/", {"reason": reason})
    assert response.status_code == 302
    assert count(firm_a, Case, pk=case.pk, status=Case.Status.OPEN) == 1
    page = client.get(f"/cases/{case.pk}/conflicts/").content.decode()
    assert "Cleared by" in page and "confirmed with the registry" in page


def test_running_the_check_again_after_removing_the_match_opens_the_case(client, firm_a, case_a):
    case = make_case(firm_a, "A-2", parties=[{"role": "defendant", "name_en": "Omega Shipping Co Ltd",
                                              "kind": "company"}])
    assert case.status == Case.Status.PENDING
    client.force_login(firm_a.user("associate"))
    with firm_a.scope():
        party = case.parties.get()
    assert client.post(f"/cases/{case.pk}/parties/{party.pk}/remove/").status_code == 302
    assert client.post(f"/cases/{case.pk}/conflicts/run/").status_code == 302
    assert count(firm_a, Case, pk=case.pk, status=Case.Status.OPEN) == 1


def test_adding_a_party_shows_the_conflict_result(client, firm_a, case_a):
    other = make_case(firm_a, "A-2", parties=[])
    client.force_login(firm_a.user("associate"))
    response = client.post(f"/cases/{other.pk}/parties/add/", {
        "party-role": "defendant", "party-kind": "company", "party-name_en": "Omega Shipping Co Ltd"}, follow=True)
    page = response.content.decode()
    assert "Omega Shipping Co Ltd is added. The conflict check found 1 possible conflict(s)" in page


# --- Tasks ------------------------------------------------------------------------------


def test_adding_a_task_and_a_subtask(associate, firm_a, case_a):
    response = associate.post(f"/cases/{case_a.pk}/tasks/new/", {
        "new-title": "Draft the statement of claim", "new-priority": "high", "new-due_date": "2030-01-31",
        "new-assignee": firm_a.members["associate"].pk, "new-reviewer": firm_a.members["partner"].pk,
        "new-estimate": "1h 30m"})
    assert response.status_code == 302
    with firm_a.scope():
        parent = Task.objects.get(case=case_a, title="Draft the statement of claim")
    assert (parent.estimate_minutes, parent.priority, parent.reviewer_id) == (90, "high", firm_a.members["partner"].pk)
    page = associate.get(f"/cases/{case_a.pk}/tasks/new/?parent={parent.pk}").content.decode()
    assert "Add a subtask to “Draft the statement of claim”" in page
    response = associate.post(f"/cases/{case_a.pk}/tasks/new/?parent={parent.pk}", {
        "new-title": "Check the particulars", "new-parent": parent.pk, "new-priority": "normal"})
    assert response.status_code == 302
    with firm_a.scope():
        assert Task.objects.get(title="Check the particulars").parent == parent
    page = associate.get(f"/cases/{case_a.pk}/tasks/").content.decode()
    assert "Check the particulars" in page and "0 of 1 done" in page


def test_a_due_date_before_the_case_opened_is_refused(associate, firm_a, case_a):
    before = count(firm_a, Task, case=case_a)
    response = associate.post(f"/cases/{case_a.pk}/tasks/new/", {
        "new-title": "Too early", "new-priority": "normal", "new-due_date": "2024-02-28", "new-estimate": "45"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "The due date cannot be before the case was opened (01 Mar 2024)." in page
    assert 'href="#id_new-due_date"' in page and 'value="Too early"' in page and 'value="45"' in page
    assert count(firm_a, Task, case=case_a) == before


def test_an_unreadable_estimate_is_refused(associate, firm_a, case_a):
    response = associate.post(f"/cases/{case_a.pk}/tasks/new/", {
        "new-title": "Estimate me", "new-priority": "normal", "new-estimate": "a while"})
    assert response.status_code == 400
    assert "Enter the estimate in hours and minutes" in response.content.decode()
    assert count(firm_a, Task, title="Estimate me") == 0


def test_a_task_cannot_move_under_its_own_subtask(associate, firm_a, case_a):
    [top] = make_tasks(firm_a, case_a, 1)
    [child] = make_tasks(firm_a, case_a, 1, parent=top)
    [grandchild] = make_tasks(firm_a, case_a, 1, parent=child)
    entries = count(firm_a, AuditEntry, case_id=case_a.pk)
    response = associate.post(f"/cases/{case_a.pk}/tasks/{top.pk}/edit/", {
        "edit-title": "Task 0", "edit-priority": "normal", "edit-parent": grandchild.pk})
    page = response.content.decode()
    assert response.status_code == 400
    assert "A task cannot be a subtask of itself or of its own subtasks." in page
    assert 'href="#id_edit-parent"' in page
    with firm_a.scope():
        top.refresh_from_db()
    assert top.parent_id is None
    assert count(firm_a, AuditEntry, case_id=case_a.pk) == entries


def test_editing_a_task_saves_the_changes(associate, firm_a, case_a):
    [top, other] = make_tasks(firm_a, case_a, 2)
    response = associate.post(f"/cases/{case_a.pk}/tasks/{top.pk}/edit/", {
        "edit-title": "Renamed", "edit-priority": "urgent", "edit-parent": other.pk, "edit-estimate": "2h",
        "edit-description": "More words"})
    assert response.status_code == 302
    with firm_a.scope():
        top.refresh_from_db()
    assert (top.title, top.priority, top.parent_id, top.estimate_minutes, top.description) == (
        "Renamed", "urgent", other.pk, 120, "More words")


def test_an_assignee_off_the_team_is_refused(associate, firm_a, case_a):
    response = associate.post(f"/cases/{case_a.pk}/tasks/new/", {
        "new-title": "For the trainee", "new-priority": "normal", "new-assignee": firm_a.members["trainee"].pk})
    assert response.status_code == 400
    assert count(firm_a, Task, title="For the trainee") == 0


# --- Notes, notifications, My work -------------------------------------------------------


def test_a_note_with_a_mention_notifies_and_shows_in_the_inbox(client, firm_a, case_a):
    client.force_login(firm_a.user("associate"))
    response = client.post(f"/cases/{case_a.pk}/notes/add/", {
        "note-kind": "note", "note-body": "Please check the draft, @partner <b>today</b>."})
    assert response.status_code == 302 and "#note-" in response.url
    page = client.get(f"/cases/{case_a.pk}/notes/").content.decode()
    assert '<strong class="mention">@partner</strong>' in page
    assert "&lt;b&gt;today&lt;/b&gt;" in page  # the text is escaped

    client.force_login(firm_a.user("partner"))
    home = client.get("/").content.decode()
    assert 'class="badge">1<' in home  # the unread count in the navigation
    inbox = client.get("/notifications/").content.decode()
    assert "mentioned you on A-1" in inbox
    with firm_a.scope():
        notification = Notification.objects.get(recipient=firm_a.members["partner"], kind="mention")
    response = client.post(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302 and response.url.startswith(f"/cases/{case_a.pk}/notes/#note-")
    with firm_a.scope():
        notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'class="badge"' not in client.get("/notifications/").content.decode()


def test_an_empty_note_or_an_unknown_mention_is_refused(associate, firm_a, case_a):
    before = count(firm_a, Note)
    response = associate.post(f"/cases/{case_a.pk}/notes/add/", {"note-kind": "note", "note-body": "  "})
    assert response.status_code == 400
    response = associate.post(f"/cases/{case_a.pk}/notes/add/", {"note-kind": "message",
                                                                 "note-body": "Ask @nobody about it"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "No one in the firm goes by @nobody." in page and "Ask @nobody about it" in page
    response = associate.post(f"/cases/{case_a.pk}/notes/add/", {"note-kind": "note",
                                                                 "note-body": "Tell @trainee"})
    assert response.status_code == 400
    assert "cannot see this case" in response.content.decode()
    assert count(firm_a, Note) == before


def test_marking_notifications_read_one_and_all(client, firm_a, firm_b):
    def notify(recipient, title):
        return Notification.objects.create(firm=firm_a.firm, recipient=recipient, kind="other", title=title)

    with as_firm(firm_a):
        first = notify(firm_a.members["associate"], "First thing")
        notify(firm_a.members["associate"], "Second thing")
        theirs = notify(firm_a.members["trainee"], "Not yours")
    client.force_login(firm_a.user("associate"))
    page = client.get("/notifications/?show=unread").content.decode()
    assert page.index("Second thing") < page.index("First thing")  # newest first
    assert "Not yours" not in page
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{first.pk}/read/").status_code == 302
    assert count(firm_a, Notification, recipient=firm_a.members["associate"], read_at__isnull=True) == 1
    assert client.post("/notifications/read-all/").status_code == 302
    assert count(firm_a, Notification, recipient=firm_a.members["associate"], read_at__isnull=True) == 0
    assert count(firm_a, Notification, pk=theirs.pk, read_at__isnull=True) == 1
    client.force_login(firm_b.user("partner"))
    assert client.post(f"/notifications/{first.pk}/open/").status_code == 404


def test_my_work_shows_overdue_and_due_soon_tasks_first_and_reviews(client, firm_a, case_a):
    today = timezone.localdate()
    me, partner = firm_a.members["associate"], firm_a.members["partner"]
    with as_firm(firm_a):
        from cases.services import task_create, task_set_status

        task_create(case=case_a, membership=partner, title="Later one", assignee=me,
                    due_date=today + datetime.timedelta(days=30))
        task_create(case=case_a, membership=partner, title="Late one", assignee=me,
                    due_date=today - datetime.timedelta(days=2))
        task_create(case=case_a, membership=partner, title="Soon one", assignee=me,
                    due_date=today + datetime.timedelta(days=3))
        review = task_create(case=case_a, membership=me, title="Check my draft", assignee=partner, reviewer=me)
        task_set_status(task=review, membership=partner, status="in_review")
    client.force_login(me.user)
    for url in ("/my-work/", "/"):
        page = client.get(url).content.decode()
        assert page.index("Late one") < page.index("Soon one") < page.index("Later one")
        assert "2 days overdue" in page and "in 3 days" in page
        assert "Check my draft" in page and "Waiting for my review" in page


def test_my_work_empty_states_say_what_to_do(client, firm_a):
    client.force_login(firm_a.user("trainee"))
    page = client.get("/my-work/").content.decode()
    assert "No tasks are assigned to you." in page
    assert "You are up to date." in page


def test_the_firm_admin_keeps_the_firm_home(client, firm_a, case_a):
    client.force_login(firm_a.user("admin"))
    page = client.get("/").content.decode()
    assert "Recently opened cases" in page and "Alpha v Omega" in page


def test_a_refusal_about_one_row_of_a_list_shows_at_the_top_of_the_form():
    from django import forms

    from config.errors import ValidationFailed
    from config.forms import add_service_errors

    class OneField(forms.Form):
        title_en = forms.CharField()

    form = OneField({"title_en": "x"})
    assert form.is_valid()
    add_service_errors(form, ValidationFailed("Parties are wrong.", fields={
        "parties": [{}, {"name_en": ["Enter the party's name."]}]}))
    assert form.non_field_errors() == ["Enter the party's name."]
