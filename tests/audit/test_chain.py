"""The audit log: append-only, chained, written with the change it records."""

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction

from audit.context import acting_as, system_actor
from audit.models import AuditChainHead, AuditEntry
from audit.selectors import audit_chain_verify
from audit.services import AuditOutsideTransaction, audit_record
from cases.models import Case
from cases.services import case_create


def _entries(world):
    with world.scope():
        return list(AuditEntry.objects.filter(firm=world.firm).order_by("seq"))


def test_a_change_and_its_entry_are_one_transaction(firm_a):
    before = len(_entries(firm_a))
    with pytest.raises(RuntimeError), acting_as(system_actor("test")), firm_a.scope(), transaction.atomic():
        case_create(membership=firm_a.members["partner"], reference="R-1", title_en="Rolled back")
        raise RuntimeError("the request failed after the case was made")
    with firm_a.scope():
        assert not Case.objects.filter(reference="R-1").exists()
        assert AuditChainHead.objects.get(firm=firm_a.firm).seq == before
    assert len(_entries(firm_a)) == before


def test_entries_are_numbered_without_gaps_and_linked(firm_a):
    entries = _entries(firm_a)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(entries, entries[1:], strict=False))


def test_an_entry_records_who_what_and_the_change(firm_a, case_a):
    with firm_a.scope():
        entry = AuditEntry.objects.get(object_type="case", object_id=str(case_a.pk), action="case.create")
    assert entry.actor_label == "system:tests"
    assert entry.changes["reference"] == [None, "A-1"]


@pytest.mark.django_db(transaction=True)
def test_writing_outside_a_transaction_is_a_programming_error(firm_a):
    with pytest.raises(AuditOutsideTransaction):
        audit_record(action="nothing")


def test_the_app_role_cannot_update_or_delete_entries(firm_a):
    with firm_a.scope(), connection.cursor() as cursor:
        for statement in ("UPDATE audit_auditentry SET action = 'forged'", "DELETE FROM audit_auditentry"):
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                cursor.execute(statement)


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_even_the_owner_is_stopped_by_the_append_only_triggers(firm_a):
    owner = connections["owner"]
    with transaction.atomic(using="owner"), owner.cursor() as cursor:
        cursor.execute("SELECT set_config('app.firm_id', %s, true)", [str(firm_a.firm.pk)])
        for statement in ("UPDATE audit_auditentry SET action = 'forged'", "DELETE FROM audit_auditentry"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(using="owner"):
                cursor.execute(statement)
        # The test database allows TRUNCATE for cleaning up; without its marker, the trigger refuses.
        with pytest.raises(DatabaseError, match="append-only: TRUNCATE"), transaction.atomic(using="owner"):
            cursor.execute("DROP TABLE caseroom_test_allow_audit_truncate")
            cursor.execute("TRUNCATE audit_auditentry CASCADE")


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_writers_leave_one_unbroken_chain(firm_a):
    writers, per_writer = 8, 15
    start = threading.Barrier(writers)
    errors = []

    def write():
        try:
            start.wait()
            for number in range(per_writer):
                with acting_as(system_actor("writer")), firm_a.scope():
                    audit_record(action="test.concurrent", object_id=number)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    before = audit_chain_verify(firm=firm_a.firm).count
    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = audit_chain_verify(firm=firm_a.firm)
    assert report.first_break is None
    assert report.count == before + writers * per_writer


@pytest.mark.parametrize("mode", [[], ["--independent"]], ids=["in-database", "independent"])
@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_audit_verify_finds_an_entry_altered_behind_the_triggers_back(firm_a, firm_b, mode):
    out = StringIO()
    call_command("audit_verify", *mode, stdout=out)
    assert out.getvalue().startswith("OK ")

    _tamper(firm_a.firm.pk, sql="UPDATE audit_auditentry SET changes = '{\"role\": \"forged\"}'"
                                       " WHERE firm_id = %s AND seq = 3")

    err = StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("audit_verify", *mode, stdout=StringIO(), stderr=err)
    assert exit_code.value.code == 1
    assert "firm=alpha entry=3: content does not match its hash" in err.getvalue()
    call_command("audit_verify", "--firm", "bravo", *mode, stdout=out)  # the other chain holds


@pytest.mark.parametrize("independent", [False, True])
@pytest.mark.parametrize(("where", "reason"), [
    ("seq = {last}", "entries {last} to {last} are missing"),
    ("seq = 2", "entry 2 is missing"),
])
@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_audit_verify_finds_a_deleted_entry(firm_a, independent, where, reason):
    last = audit_chain_verify(firm=firm_a.firm).count
    condition = where.format(last=last)
    _tamper(firm_a.firm.pk, sql=f"DELETE FROM audit_auditentry WHERE firm_id = %s AND {condition}")  # noqa: S608
    report = audit_chain_verify(firm=firm_a.firm, independent=independent)
    assert report.first_break.reason == reason.format(last=last)


@pytest.mark.parametrize("independent", [False, True])
@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_audit_verify_finds_a_relinked_entry(firm_a, independent):
    _tamper(firm_a.firm.pk, sql="UPDATE audit_auditentry SET prev_hash = repeat('1', 64)"
                                " WHERE firm_id = %s AND seq = 4")
    report = audit_chain_verify(firm=firm_a.firm, independent=independent)
    assert (report.first_break.seq, report.first_break.reason) == (4, "previous-hash link does not match")


def _tamper(firm_id: int, *, sql: str) -> None:
    """What a database owner could do: switch the trigger off, edit, switch it on."""
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute("SELECT set_config('app.firm_id', %s, true)", [str(firm_id)])
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_update_delete")
        cursor.execute(sql, [firm_id])
        assert cursor.rowcount == 1
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_no_update_delete")
