"""Verification hashes in parallel workers, and leaves the transaction's settings as it found them.

The test database is far too small for PostgreSQL to choose workers by itself, so the
plan test makes parallelism free and checks that the planner can then hash below a
Gather: it could not if audit_entry_hash or a row-level-security expression were not
parallel safe. On the bench database (a million entries) it chooses workers at the
default costs (docs/performance.md, item 7).
"""

import json

from django.db import connection, transaction

from audit.chain import GENESIS_HASH
from audit.selectors import _FIRST_BREAK_SQL, _chain_condition, audit_chain_verify

# Workers cost nothing, and the (few-row) chain is not read by its index, which at a
# planned row or two would always win; the bench chain is read in parallel by index too.
FREE_PARALLELISM = {"parallel_setup_cost": "0", "parallel_tuple_cost": "0",
                    "min_parallel_table_scan_size": "0", "min_parallel_index_scan_size": "0",
                    "enable_indexscan": "off", "enable_bitmapscan": "off", "enable_indexonlyscan": "off"}


def test_the_entry_hash_function_is_parallel_safe(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT proparallel FROM pg_proc WHERE proname = 'audit_entry_hash'")
        assert cursor.fetchall() == [("s",)]


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def test_the_app_role_can_hash_in_parallel_workers(firm_a):
    chain, params = _chain_condition(firm_a.firm.pk)
    with firm_a.scope(), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, (SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user)")
        role, bypasses_rls = cursor.fetchone()
        assert not bypasses_rls, f"{role} would not test row-level security"
        for name, value in FREE_PARALLELISM.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        cursor.execute("EXPLAIN (VERBOSE, FORMAT JSON) " + _FIRST_BREAK_SQL.format(chain=chain),
                       {**params, "genesis": GENESIS_HASH})
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    gathers = [node for node in _nodes(plan[0]["Plan"]) if node["Node Type"] in ("Gather", "Gather Merge")]
    assert gathers, "no parallel plan: is something in the query or the RLS policy not PARALLEL SAFE?"
    below = [node for gather in gathers for child in gather["Plans"] for node in _nodes(child)]
    assert any("sha256" in " ".join(node.get("Output", [])) for node in below), \
        "the hash is computed above the Gather, in the leader alone"


def _settings(cursor) -> tuple[str, str]:
    cursor.execute("SELECT current_setting('work_mem'), current_setting('jit')")
    return cursor.fetchone()


def test_verification_puts_back_the_settings_it_raises(firm_a):
    with transaction.atomic(), connection.cursor() as cursor:  # as in a request's transaction
        before = _settings(cursor)
        report = audit_chain_verify(firm=firm_a.firm)
        assert _settings(cursor) == before
    assert report.first_break is None
    assert report.count > 0
