"""Row-level security, checked as the app role the product connects as."""

from contextlib import contextmanager

import psycopg
import pytest
from django.apps import apps
from django.db import ProgrammingError, connection, transaction

from cases.models import Case
from firms.models import Firm, FirmOwned
from firms.tenancy import Tenant, set_tenant

FIRM_OWNED_MODELS = [m for m in apps.get_models() if issubclass(m, FirmOwned)]
FIRM_OWNED_TABLES = sorted({m._meta.db_table for m in FIRM_OWNED_MODELS} | {
    "audit_auditentry", "audit_auditchainhead", "firms_firm"})


@contextmanager
def refused_by_row_level_security():
    with pytest.raises(ProgrammingError) as caught, transaction.atomic():
        yield
    assert isinstance(caught.value.__cause__, psycopg.errors.InsufficientPrivilege)
    assert "row-level security" in str(caught.value)


@pytest.fixture
def every_kind_of_row(firm_a, firm_b, case_a, settings, tmp_path):
    """At least one row in every firm-owned table, in firm A (and firm B has its own people)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from audit.context import acting_as, system_actor
    from cases.services import case_access_grant, note_add, task_create
    from documents.services import document_upload

    settings.MEDIA_ROOT = tmp_path / "media"
    members = firm_a.members
    with acting_as(system_actor("tests")), firm_a.scope():
        document_upload(case=case_a, membership=members["associate"], title="Letter before action",
                        uploaded_file=SimpleUploadedFile(
                            "letter.eml", b"From: a@alpha.test\r\nSubject: Claim\r\n\r\nDear Sirs\r\n"))
        note_add(case=case_a, membership=members["associate"], body="Over to @partner for review.")
        case_access_grant(case=case_a, membership=members["trainee"], by=members["partner"])
        task_create(case=case_a, membership=members["associate"], title="Draft defence")
        _calendar_rows(firm_a, case_a)
    return case_a


def _calendar_rows(world, case):
    """Calendar rows through their services where they have one, else directly."""
    import datetime

    from django.utils import timezone

    from calendar_sync.deadlines.services import holiday_adjustment_record, registry_closure_record
    from calendar_sync.feeds.tokens import feed_secret_for
    from calendar_sync.models import (
        CalDAVConnection,
        CalDAVEventState,
        NotificationPreference,
        ReminderDelivery,
        ReminderSetting,
    )
    from calendar_sync.services.events import event_create

    members, firm = world.members, world.firm
    registry_closure_record(firm=firm, membership=members["partner"], date=datetime.date(2026, 3, 4),
                            kind="black_rain")
    holiday_adjustment_record(firm=firm, membership=members["admin"], date=datetime.date(2026, 5, 25),
                              is_holiday=False, reason="test")
    start = timezone.now() + datetime.timedelta(days=3)
    event = event_create(owner=members["associate"], kind="hearing", title="CMC", case=case,
                         start=start, end=start + datetime.timedelta(hours=1),
                         attendees=[members["partner"]])
    ReminderSetting.objects.get_or_create(firm=firm)
    ReminderDelivery.objects.create(firm=firm, event=event, recipient=members["associate"],
                                    offset_minutes=60, due_at=start)
    NotificationPreference.objects.create(firm=firm, membership=members["associate"], kind="mention")
    feed_secret_for(membership=members["associate"])
    connection = CalDAVConnection.objects.create(firm=firm, membership=members["associate"],
                                                 calendar_url="https://dav.example/cal/", username="a",
                                                 password="x")
    CalDAVEventState.objects.create(firm=firm, connection=connection, event=event)


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - table names from our models
        return cursor.fetchone()[0]


def test_the_suite_runs_as_a_role_that_row_level_security_binds(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        name, is_super, bypasses = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")
        tables_owned = cursor.fetchone()[0]
    assert (is_super, bypasses, tables_owned) == (False, False, 0), name


def test_there_are_firm_owned_models_to_check():
    assert {"Office", "Team", "Membership", "TeamMember", "Case", "CaseTeamMember"} <= {
        m.__name__ for m in FIRM_OWNED_MODELS}


@pytest.mark.parametrize("table", FIRM_OWNED_TABLES)
def test_every_firm_owned_table_has_forced_row_level_security(db, table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = %s", [table])
        assert cursor.fetchone() == (True, True)
        cursor.execute("SELECT count(*) FROM pg_policies WHERE tablename = %s", [table])
        assert cursor.fetchone()[0] >= 1


@pytest.mark.parametrize("table", FIRM_OWNED_TABLES)
def test_a_query_with_no_firm_set_sees_no_rows(firm_a, firm_b, every_kind_of_row, table):
    with firm_a.scope():
        seen_as_a = _count(table)
    with transaction.atomic():
        set_tenant(Tenant())
        assert _count(table) == 0
    assert seen_as_a > 0, f"fixture left {table} empty: the check above would prove nothing"


@pytest.mark.parametrize("table", FIRM_OWNED_TABLES)
def test_a_firm_sees_none_of_another_firms_rows(firm_a, firm_b, every_kind_of_row, table):
    column = "id" if table == "firms_firm" else "firm_id"
    with firm_b.scope(), connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {column} = %s", [firm_a.firm.pk])  # noqa: S608
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("model", FIRM_OWNED_MODELS, ids=lambda m: m.__name__)
def test_moving_a_row_to_another_firm_is_refused(firm_a, firm_b, every_kind_of_row, model):
    table = model._meta.db_table
    with firm_a.scope():
        row_id = model.objects.values_list("pk", flat=True).first()
        assert row_id is not None
        with refused_by_row_level_security(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET firm_id = %s WHERE id = %s", [firm_b.firm.pk, row_id])  # noqa: S608


@pytest.mark.parametrize("model", FIRM_OWNED_MODELS, ids=lambda m: m.__name__)
def test_inserting_another_firms_row_is_refused(firm_a, firm_b, every_kind_of_row, model):
    """Copy one of our rows, give it the other firm and a new id, and try to insert it."""
    table = model._meta.db_table
    with firm_a.scope(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE copy_of_row AS SELECT * FROM {table} LIMIT 1")  # noqa: S608
        cursor.execute("UPDATE copy_of_row SET id = id + 1000000, firm_id = %s", [firm_b.firm.pk])
        with refused_by_row_level_security():
            cursor.execute(f"INSERT INTO {table} SELECT * FROM copy_of_row")  # noqa: S608
        cursor.execute("DROP TABLE copy_of_row")


def test_the_orm_cannot_create_a_case_for_another_firm(firm_a, firm_b):
    with firm_a.scope(), refused_by_row_level_security():
        Case.objects.create(firm=firm_b.firm, reference="X-1", title_en="Smuggled")


def test_a_person_sees_only_the_firms_they_belong_to(firm_a, firm_b):
    from firms.selectors import first_membership_of

    membership = first_membership_of(firm_a.user("associate"))
    assert membership.firm_id == firm_a.firm.pk
    with firm_a.scope():
        assert list(Firm.objects.values_list("slug", flat=True)) == ["alpha"]
