"""The case services: creation with conflict checks, tasks, notes. Every refusal saves nothing."""

import datetime

import pytest

from audit.context import acting_as, system_actor
from audit.models import AuditEntry
from cases.models import Case, ConflictCheck, Note, Party, Task
from cases.selectors.tasks import my_tasks, task_tree
from cases.services import (
    case_create,
    case_update,
    conflict_clear,
    note_add,
    party_add,
    task_create,
    task_set_status,
    task_update,
)
from config.errors import Forbidden, ValidationFailed
from firms.models import Notification


@pytest.fixture
def as_system():
    with acting_as(system_actor("tests")):
        yield


def _counts(world):
    with world.scope():
        return (Case.objects.count(), Party.objects.count(), Task.objects.count(), Note.objects.count(),
                ConflictCheck.objects.count(), AuditEntry.objects.filter(firm=world.firm).count())


# --- Creating a case and its conflict check ------------------------------------------------


def test_a_case_with_no_conflicts_opens_and_lays_out_its_template(firm_a, as_system):
    with firm_a.scope():
        case = case_create(membership=firm_a.members["associate"], reference="N-1", title_en="New v Old",
                           case_number="hca001/2025",
                           parties=[{"role": "plaintiff", "name_en": "Brand New Ltd", "is_client": True}])
        case.refresh_from_db()
        assert (case.status, case.case_number, case.court) == ("open", "HCA 1/2025", "CFI")
        assert case.tasks_total > 10 and case.tasks_done == 0
        assert Task.objects.filter(case=case, parent=None, title="Pleadings").exists()
        actions = list(AuditEntry.objects.filter(case_id=case.pk).values_list("action", flat=True))
    assert {"case.create", "party.add", "conflict.check", "case.open", "task.template_apply"} <= set(actions)


@pytest.mark.parametrize(("searched_en", "searched_zh"), [
    ("Alpha Trading Limited", ""),        # the same English name
    ("ALPHA TRADING LTD", ""),            # fuzzy English
    ("", "阿爾法貿易有限公司"),              # the same Chinese name
    ("", "阿爾法貿易"),                     # part of the Chinese name
])
def test_a_party_already_in_another_case_is_a_hit_and_the_case_waits(firm_a, case_a, as_system,
                                                                    searched_en, searched_zh):
    with firm_a.scope():
        case = case_create(membership=firm_a.members["associate"], reference="N-2", title_en="Beta v Alpha",
                           parties=[{"role": "defendant", "name_en": searched_en, "name_zh": searched_zh}])
        check = ConflictCheck.objects.get(case=case)
        assert Case.objects.get(pk=case.pk).status == "pending"
    assert check.status == "hits"
    hit, = check.hits
    assert (hit["case_reference"], hit["role"], hit["is_client"]) == ("A-1", "plaintiff", True)
    assert hit["name_zh"] == "阿爾法貿易有限公司"


def test_an_unrelated_name_is_no_hit(firm_a, case_a, as_system):
    with firm_a.scope():
        case = case_create(membership=firm_a.members["associate"], reference="N-3", title_en="X v Y",
                           parties=[{"role": "plaintiff", "name_en": "Zebra Crossing Holdings",
                                     "name_zh": "斑馬控股"}])
        assert ConflictCheck.objects.get(case=case).status == "no_hits"


def test_another_firms_parties_are_never_hits(firm_a, firm_b, case_a, as_system):
    with firm_b.scope():
        case = case_create(membership=firm_b.members["associate"], reference="B-1", title_en="Alpha again",
                           parties=[{"role": "plaintiff", "name_en": "Alpha Trading Limited"}])
        assert ConflictCheck.objects.get(case=case).status == "no_hits"


def test_clearing_needs_a_partner_or_compliance_and_a_reason_then_the_case_opens(firm_a, case_a, as_system):
    with firm_a.scope():
        case = case_create(membership=firm_a.members["associate"], reference="N-4", title_en="Gamma v Alpha",
                           parties=[{"role": "defendant", "name_en": "Alpha Trading Limited"}])
        check = ConflictCheck.objects.get(case=case)
        with pytest.raises(Forbidden):
            conflict_clear(check=check, membership=firm_a.members["associate"], reason="It is fine really")
        with pytest.raises(ValidationFailed, match="at least"):
            conflict_clear(check=check, membership=firm_a.members["partner"], reason="ok")
        assert Case.objects.get(pk=case.pk).status == "pending"
        conflict_clear(check=check, membership=firm_a.members["compliance"],
                       reason="Same client on both matters, consent on file")
        check.refresh_from_db()
        assert (check.status, check.cleared_by, Case.objects.get(pk=case.pk).status) == (
            "cleared", firm_a.members["compliance"], "open")
        assert check.clearance_reason.startswith("Same client")


def test_a_new_party_on_an_open_case_is_checked_and_the_partner_told(firm_a, case_a, firm_b, as_system):
    with firm_a.scope():
        other = case_create(membership=firm_a.members["associate"], reference="N-5", title_en="Delta v Epsilon",
                            responsible_partner=firm_a.members["partner"],
                            parties=[{"role": "plaintiff", "name_en": "Delta Ltd"}])
        party_add(case=other, membership=firm_a.members["associate"], role="third_party",
                  name_en="Omega Shipping Company Limited")
        assert ConflictCheck.objects.filter(case=other).latest("run_at").status == "hits"
        assert Notification.objects.filter(recipient=firm_a.members["partner"], kind="conflict").exists()


@pytest.mark.parametrize(("fields", "field"), [
    ({"case_number": "HCA 0/24"}, "case_number"),
    ({"case_number": "XYZ 12/2024"}, "case_number"),
    ({"case_number": "HCA 12/2024", "court": "DC"}, "court"),
    ({"reference": ""}, "reference"),
    ({"title_en": "  "}, "title_en"),
    ({"opened_on": datetime.date.today() + datetime.timedelta(days=2)}, "opened_on"),
    ({"parties": [{"role": "plaintiff", "name_en": "", "name_zh": ""}]}, "parties"),
    ({"parties": [{"role": "villain", "name_en": "X"}]}, "parties"),
])
def test_bad_case_details_are_refused_and_nothing_is_saved(firm_a, as_system, fields, field):
    before = _counts(firm_a)
    arguments = {"reference": "BAD-1", "title_en": "Bad v Worse", **fields}
    with firm_a.scope(), pytest.raises(ValidationFailed) as error:
        case_create(membership=firm_a.members["associate"], **arguments)
    assert field in error.value.fields
    assert _counts(firm_a) == before


def test_an_unknown_prefix_is_kept_only_when_the_lawyer_says_it_is_right(firm_a, as_system):
    with firm_a.scope():
        with pytest.raises(ValidationFailed) as error:
            case_create(membership=firm_a.members["associate"], reference="U-1", title_en="New court",
                        case_number="ABCD 12/2024")
        assert error.value.code == "unknown_prefix"
        case = case_create(membership=firm_a.members["associate"], reference="U-1", title_en="New court",
                           case_number="abcd 12/2024", unlisted_prefix_ok=True)
        assert (case.case_number, case.case_number_unlisted_prefix) == ("ABCD 12/2024", True)


def test_a_case_number_is_unique_in_the_firm(firm_a, case_a, as_system):
    with firm_a.scope(), pytest.raises(ValidationFailed, match="already has"):
        case_create(membership=firm_a.members["associate"], reference="D-1", title_en="Dup",
                    case_number="HCA 001234/2024")


def test_status_changes_are_audited_with_before_and_after(firm_a, case_a, as_system):
    with firm_a.scope():
        case_update(case=case_a, membership=firm_a.members["partner"], status="closed", stage="completed")
        entry = AuditEntry.objects.filter(case_id=case_a.pk, action="case.update").get()
    assert entry.changes["status"] == ["open", "closed"]
    assert entry.changes["stage"][1] == "completed"
    assert entry.changes["closed_on"][0] is None


# --- Tasks -------------------------------------------------------------------------------------


@pytest.fixture
def tree(firm_a, case_a, as_system):
    with firm_a.scope():
        Task.objects.filter(case=case_a).delete()  # start from an empty tree
        top = task_create(case=case_a, membership=firm_a.members["associate"], title="Discovery")
        middle = task_create(case=case_a, membership=firm_a.members["associate"], title="List", parent=top)
        leaf = task_create(case=case_a, membership=firm_a.members["associate"], title="Emails", parent=middle,
                           assignee=firm_a.members["associate"], due_date=datetime.date(2024, 4, 1))
        other = task_create(case=case_a, membership=firm_a.members["associate"], title="Inspect", parent=top)
    return top, middle, leaf, other


def test_progress_rolls_up_from_the_leaves_to_the_case(firm_a, case_a, tree):
    top, middle, leaf, other = tree
    with firm_a.scope():
        task_set_status(task=leaf, membership=firm_a.members["associate"], status="done")
        roots = task_tree(case=case_a)
        case_a.refresh_from_db()
    root, = roots
    assert (root.leaves_done, root.leaves_total, root.progress_percent) == (1, 2, 50)
    assert (case_a.tasks_done, case_a.tasks_total, case_a.progress_percent) == (1, 2, 50)


def test_a_task_cannot_become_its_own_ancestor(firm_a, tree):
    top, middle, leaf, other = tree
    before = _counts(firm_a)
    with firm_a.scope():
        for new_parent in (top, leaf, middle):
            with pytest.raises(ValidationFailed) as error:
                task_update(task=top if new_parent is not middle else middle, membership=firm_a.members["associate"],
                            parent=new_parent)
            assert "parent" in error.value.fields
        assert Task.objects.get(pk=top.pk).parent_id is None
    assert _counts(firm_a) == before


def test_a_due_date_before_the_case_opened_is_refused(firm_a, case_a, tree):
    with firm_a.scope(), pytest.raises(ValidationFailed) as error:
        task_create(case=case_a, membership=firm_a.members["associate"], title="Too early",
                    due_date=datetime.date(2024, 2, 1))
    assert "due_date" in error.value.fields


def test_a_task_with_open_subtasks_cannot_be_done(firm_a, tree):
    top, *_ = tree
    with firm_a.scope(), pytest.raises(ValidationFailed, match="subtasks"):
        task_set_status(task=top, membership=firm_a.members["associate"], status="done")


def test_only_someone_who_can_see_the_case_can_be_assigned(firm_a, case_a, tree):
    with firm_a.scope(), pytest.raises(ValidationFailed) as error:
        task_create(case=case_a, membership=firm_a.members["associate"], title="For the trainee",
                    assignee=firm_a.members["trainee"])
    assert "not on this case's team" in error.value.fields["assignee"][0]


def test_assigning_a_task_notifies_the_assignee(firm_a, case_a, tree):
    _top, _middle, leaf, _other = tree
    with firm_a.scope():
        task_update(task=leaf, membership=firm_a.members["associate"], assignee=firm_a.members["partner"])
        assert Notification.objects.filter(recipient=firm_a.members["partner"], kind="task_assigned").count() == 1


def test_my_work_lists_overdue_first(firm_a, case_a, tree, as_system):
    with firm_a.scope():
        far = task_create(case=case_a, membership=firm_a.members["associate"], title="Far",
                          assignee=firm_a.members["associate"], due_date=datetime.date(2099, 1, 1))
        undated = task_create(case=case_a, membership=firm_a.members["associate"], title="Someday",
                              assignee=firm_a.members["associate"])
        titles = [t.title for t in my_tasks(membership=firm_a.members["associate"])]
    assert titles == ["Emails", "Far", "Someday"]
    assert far and undated


# --- Notes ------------------------------------------------------------------------------------------


def test_a_mention_notifies_the_person_and_an_email_address_is_not_a_mention(firm_a, case_a, as_system):
    with firm_a.scope():
        note = note_add(case=case_a, membership=firm_a.members["associate"],
                        body="@partner please call the client at someone@example.com")
        assert [m.membership for m in note.mentions.all()] == [firm_a.members["partner"]]
        assert Notification.objects.filter(recipient=firm_a.members["partner"], kind="mention").count() == 1


@pytest.mark.parametrize(("body", "message"), [
    ("", "Write something"),
    ("   ", "Write something"),
    ("Ask @nobody about it", "No one in the firm goes by @nobody"),
    ("Ask @trainee about it", "cannot see this case"),
])
def test_bad_notes_are_refused_and_nothing_is_saved(firm_a, case_a, as_system, body, message):
    before = _counts(firm_a)
    with firm_a.scope(), pytest.raises(ValidationFailed, match=message):
        note_add(case=case_a, membership=firm_a.members["associate"], body=body)
    assert _counts(firm_a) == before


def test_timeline_kinds_file_each_app_s_actions_under_its_own_tab():
    from cases.selectors.timeline import kind_of

    assert kind_of("case.stage_change") == "case"
    assert kind_of("conflict.clear") == "party"
    assert kind_of("event.create") == "calendar"
    assert kind_of("deadline.override") == "calendar"
    assert kind_of("calendar.feed_create") == "calendar"  # a case's own feed
    assert kind_of("document.version_upload") == "document"


@pytest.mark.parametrize("changes, field", [
    ({"closed_on": datetime.date(2024, 5, 1)}, "closed_on"),                      # case still open
    ({"status": "closed", "closed_on": datetime.date(2099, 1, 1)}, "closed_on"),  # future
    ({"status": "closed", "closed_on": datetime.date(2024, 2, 1)}, "closed_on"),  # before it opened
    ({"status": "closed", "closed_on": None}, "closed_on"),
    ({"stage": "finished-ish"}, "stage"),
    ({"practice_area": "astrology"}, "practice_area"),
])
def test_case_update_refuses_impossible_details_and_saves_nothing(firm_a, case_a, changes, field):
    with firm_a.scope():
        before = Case.objects.values().get(pk=case_a.pk)
        entries = AuditEntry.objects.count()
        with pytest.raises(ValidationFailed) as refused, acting_as(system_actor("tests")):
            case_update(case=case_a, membership=firm_a.members["partner"], **changes)
        assert field in refused.value.fields
        assert Case.objects.values().get(pk=case_a.pk) == before
        assert AuditEntry.objects.count() == entries


def test_case_update_closes_with_a_date_in_range(firm_a, case_a):
    with firm_a.scope(), acting_as(system_actor("tests")):
        case = case_update(case=case_a, membership=firm_a.members["partner"], status="closed",
                           closed_on=datetime.date(2025, 6, 30))
        assert (case.status, case.closed_on) == ("closed", datetime.date(2025, 6, 30))
        case = case_update(case=case, membership=firm_a.members["partner"], status="open")
        assert case.closed_on is None
