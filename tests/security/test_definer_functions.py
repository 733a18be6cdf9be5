"""The SECURITY DEFINER search functions: fast because they are outside row-level security,
so each must keep to the transaction's firm itself, and their role must reach nothing else.
"""

import datetime

import pytest
from django.db import DatabaseError, connection, connections, transaction

from audit.context import acting_as, system_actor
from cases.selectors import case_list
from cases.selectors.cases import CaseFilters
from cases.selectors.conflicts import _parts_of, conflict_hits
from cases.services import case_create
from firms.db_roles import DEFINER_FUNCTIONS, definer_role_name, hand_definer_functions

pytestmark = pytest.mark.django_db(databases=["default", "owner"])


def _case(world, reference, title_en, parties):
    with acting_as(system_actor("tests")), world.scope():
        return case_create(
            membership=world.members["partner"], reference=reference, title_en=title_en,
            responsible_partner=world.members["partner"], opened_on=datetime.date(2024, 3, 1),
            parties=parties)


@pytest.fixture
def two_firms_same_names(firm_a, firm_b):
    ours = _case(firm_a, "A-77", "Wong v Harbour Holdings",
                 [{"role": "plaintiff", "name_en": "WONG Tai Man", "name_zh": "黃大文"},
                  {"role": "defendant", "name_en": "Harbour Holdings Limited", "name_zh": "海港控股有限公司",
                   "kind": "company"}])
    theirs = _case(firm_b, "B-77", "Wong v Harbour Holdings",
                   [{"role": "plaintiff", "name_en": "WONG Tai Man", "name_zh": "黃大文"},
                    {"role": "defendant", "name_en": "Harbour Holdings Limited", "name_zh": "海港控股有限公司",
                     "kind": "company"}])
    return ours, theirs


def _ids(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def test_every_definer_function_is_owned_by_a_bypassrls_role_that_cannot_log_in():
    """Set up by devtools (and deploy/postgres-init.sh): without it search is slow, not wrong."""
    assert {f.signature.split("(")[0] for f in DEFINER_FUNCTIONS} == {"case_search_ids", "party_conflict_ids",
                                                                     "document_search_ids"}
    with connection.cursor() as cursor:
        for function in DEFINER_FUNCTIONS:
            cursor.execute(
                "SELECT r.rolname, r.rolbypassrls, r.rolcanlogin, r.rolsuper, p.prosecdef,"
                " has_function_privilege('public', p.oid, 'EXECUTE')"
                " FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner WHERE p.oid = %s::regprocedure",
                [function.signature])
            owner, bypassrls, can_login, superuser, security_definer, public_may_run = cursor.fetchone()
            assert (owner, bypassrls, can_login, superuser) == (definer_role_name(), True, False, False)
            assert security_definer is True
            assert public_may_run is False


def test_handing_over_again_is_harmless():
    assert hand_definer_functions() is True
    assert hand_definer_functions() is True


def test_definer_role_reads_only_the_columns_its_functions_name():
    role = definer_role_name()
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_column_privilege(%s, 'cases_case', 'title_en', 'SELECT'),"
                       " has_column_privilege(%s, 'cases_party', 'name_zh', 'SELECT'),"
                       " has_column_privilege(%s, 'cases_case', 'tags', 'SELECT'),"
                       " has_column_privilege(%s, 'cases_party', 'name_en', 'UPDATE'),"
                       " has_table_privilege(%s, 'audit_auditentry', 'SELECT'),"
                       " has_table_privilege(%s, 'firms_membership', 'SELECT'),"
                       " has_table_privilege(%s, 'cases_note', 'SELECT')", [role] * 7)
        assert cursor.fetchone() == (True, True, False, False, False, False, False)


def test_the_app_role_cannot_become_the_definer():
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {connection.ops.quote_name(definer_role_name())}")


def test_case_search_ids_keeps_to_the_transactions_firm(firm_a, firm_b, two_firms_same_names):
    ours, theirs = two_firms_same_names
    with firm_a.scope():
        assert _ids("SELECT case_search_ids(%s)", ["harbour"]) == {ours.pk}
        assert _ids("SELECT case_search_ids(%s)", ["黃大文"]) == {ours.pk}
        assert _ids("SELECT case_search_ids(%s)", ["B-77"]) == set()
    with firm_b.scope():
        assert _ids("SELECT case_search_ids(%s)", ["harbour"]) == {theirs.pk}
    with transaction.atomic():  # no firm set: nothing, not everything
        assert _ids("SELECT case_search_ids(%s)", ["harbour"]) == set()


def test_party_conflict_ids_keeps_to_the_transactions_firm(firm_a, firm_b, two_firms_same_names):
    ours, theirs = two_firms_same_names
    sql = "SELECT party_conflict_ids(%s, %s, %s::text[], %s)"
    with firm_a.scope():
        found = _ids(sql, ["Wong Tai Man", "黃大文", _parts_of("黃大文"), None])
        assert found == set(ours.parties.filter(role="plaintiff").values_list("pk", flat=True))
        assert _ids(sql, ["Wong Tai Man", None, [], ours.pk]) == set()  # its own case left out
    with transaction.atomic():
        assert _ids(sql, ["Wong Tai Man", "黃大文", _parts_of("黃大文"), None]) == set()


def test_search_wildcards_are_literal(firm_a, two_firms_same_names):
    with firm_a.scope():
        assert _ids("SELECT case_search_ids(%s)", ["%"]) == set()
        assert _ids("SELECT case_search_ids(%s)", ["_"]) == set()
        assert _ids("SELECT case_search_ids(%s)", ["\\"]) == set()
        percent = _case(firm_a, "A-100%", "Hundred per cent", [{"role": "plaintiff", "name_en": "X_Y Ltd"}])
    with firm_a.scope():
        assert _ids("SELECT case_search_ids(%s)", ["100%"]) == {percent.pk}
        assert _ids("SELECT case_search_ids(%s)", ["x_y"]) == {percent.pk}


def test_the_case_list_search_and_the_conflict_check_use_them(firm_a, firm_b, two_firms_same_names):
    ours, _theirs = two_firms_same_names
    with firm_a.scope():
        partner = firm_a.members["partner"]
        found = list(case_list(partner, CaseFilters(search="HARBOUR hold")))
        assert found == [ours]
        hits = conflict_hits(firm_id=firm_a.firm.pk, parties=list(ours.parties.all()), exclude_case_id=None)
        assert {h["case_id"] for h in hits} == {ours.pk}
        # Theirs (二字) inside ours: a party named 大文 alone is found through the parts.
        short = _case(firm_a, "A-78", "Tai Man's other matter", [{"role": "plaintiff", "name_zh": "大文"}])
    with firm_a.scope():
        hits = conflict_hits(firm_id=firm_a.firm.pk, parties=list(ours.parties.filter(role="plaintiff")),
                             exclude_case_id=ours.pk)
        assert {h["case_id"] for h in hits} == {short.pk}


def test_parts_of_a_name():
    assert _parts_of("黃大文") == sorted(["黃", "大", "文", "黃大", "大文", "黃大文"])
    assert _parts_of("") == []
    long_name = "甲" * 100
    assert max(len(part) for part in _parts_of(long_name)) == 40


def _plan(cursor, firm_id) -> str:
    cursor.execute("SELECT set_config('app.firm_id', %s, true)", [str(firm_id)])
    cursor.execute("SET LOCAL enable_seqscan = off")
    cursor.execute("EXPLAIN SELECT p.case_id FROM cases_party p WHERE upper(p.name_en::text) LIKE %s", ["%WONG%"])
    return "\n".join(row[0] for row in cursor.fetchall())


def test_why_the_definer_exists_rls_forbids_the_trigram_index_and_the_definer_may_use_it(firm_a):
    """The same LIKE as the functions' (seq scans discouraged, so the planner takes any
    index it may): the app role under row-level security may not use the trigram index
    (LIKE is not LEAKPROOF), the definer role may."""
    with connection.cursor() as cursor, transaction.atomic():
        as_app = _plan(cursor, firm_a.firm.pk)
    owner = connections["owner"]
    with owner.cursor() as cursor, transaction.atomic(using="owner"):
        cursor.execute(f"SET LOCAL ROLE {owner.ops.quote_name(definer_role_name())}")
        as_definer = _plan(cursor, firm_a.firm.pk)
    assert "party_name_en_upper_trgm" not in as_app
    assert "party_name_en_upper_trgm" in as_definer
