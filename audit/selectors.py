"""Reads of the audit log: verification of the chains, and entries about an object."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from audit.chain import (
    CONTENT_CHANGED,
    GENESIS_HASH,
    HASHED_COLUMNS,
    LINK_BROKEN,
    ChainBreak,
    check_head,
    find_first_break,
    missing_reason,
)
from audit.models import AuditChainHead, AuditEntry
from firms.models import Firm
from firms.tenancy import tenant_scope


@dataclass(frozen=True)
class ChainReport:
    firm_id: int | None
    firm_slug: str
    count: int
    first_break: ChainBreak | None


# One pass in the database: each entry's number against its row number, its link
# against the previous entry's hash, and its content against its hash. The hash is
# recomputed in a subquery below the window, so PostgreSQL computes it in parallel
# workers (Parallel Index/Seq Scan -> Sort -> Gather Merge): audit_entry_hash costs
# several µs a row and would otherwise run in one process (docs/performance.md, item 7).
# audit_entry_hash must stay PARALLEL SAFE for that (tests/audit/test_verify_plan.py).
# A NULL where a hash should be (an owner could drop NOT NULL) counts as a break.
_FIRST_BREAK_SQL = """
SELECT seq, rn, prev_hash IS NOT DISTINCT FROM expected_prev, content_ok IS TRUE FROM (
    SELECT seq, prev_hash, content_ok,
           row_number() OVER w AS rn,
           lag(hash, 1, %(genesis)s) OVER w AS expected_prev
    FROM (SELECT seq, hash, prev_hash,
                 audit_entry_hash(firm_id, seq, created_at, actor_user_id, actor_label, action, object_type,
                                  object_id, case_id, changes, ip, user_agent, prev_hash) = hash AS content_ok
          FROM audit_auditentry WHERE {chain} ORDER BY seq) hashed
    WINDOW w AS (ORDER BY seq)
) checked
WHERE seq <> rn OR prev_hash IS DISTINCT FROM expected_prev OR content_ok IS NOT TRUE
ORDER BY seq LIMIT 1
"""

# For that one query only, then put back (a verification may run inside a request's
# transaction). work_mem: each of the three processes sorts its third of a
# million-entry chain in memory (~72 MB each; at 4 MB it spilled to disk). jit: off for
# the app's small queries (config/settings.py), on for this big one; it measured neutral
# on the bench chain (the time is in sha256 and to_char, which JIT does not compile).
_VERIFY_SETTINGS = {"work_mem": "128MB", "jit": "on"}

_LAST_ENTRY_SQL = "SELECT seq, hash FROM audit_auditentry WHERE {chain} ORDER BY seq DESC LIMIT 1"


def _chain_condition(firm_id: int | None) -> tuple[str, dict]:
    if firm_id is None:
        return "firm_id IS NULL", {}
    return "firm_id = %(firm)s", {"firm": firm_id}


def audit_chain_verify(*, firm: Firm | None, independent: bool = False) -> ChainReport:
    """Recompute one chain (a firm's, or the platform chain for None) from its first entry.

    ``independent`` recomputes every hash in Python, trusting nothing that runs in the
    database (the SQL function could itself have been replaced); otherwise the database
    recomputes, which is many times faster.
    """
    firm_id = firm.pk if firm else None
    with tenant_scope(firm_id, platform=firm is None):
        head = AuditChainHead.objects.filter(firm_id=firm_id).values_list("seq", "hash").first()
        if independent:
            count, first_break = _verify_in_python(firm_id, head)
        else:
            count, first_break = _verify_in_database(firm_id, head)
    return ChainReport(firm_id, firm.slug if firm else "(platform)", count, first_break)


def _verify_in_database(firm_id, head):
    chain, params = _chain_condition(firm_id)
    with connection.cursor() as cursor:
        saved = _set_locally(cursor, _VERIFY_SETTINGS)
        cursor.execute(_FIRST_BREAK_SQL.format(chain=chain), {**params, "genesis": GENESIS_HASH})
        broken = cursor.fetchone()
        _set_locally(cursor, saved)
        if broken:
            return _explain(firm_id, *broken)
        cursor.execute(_LAST_ENTRY_SQL.format(chain=chain), params)
        last_seq, last_hash = cursor.fetchone() or (0, GENESIS_HASH)
    return check_head(firm_id, last_seq, last_hash, head)


def _set_locally(cursor, values: dict[str, str]) -> dict[str, str]:
    """SET LOCAL each setting (until the transaction ends); return the values they had."""
    names = list(values)
    cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
    before = dict(zip(names, cursor.fetchone(), strict=True))
    cursor.execute("SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(names)),
                   [item for name in names for item in (name, values[name])])
    return before


def _explain(firm_id, seq, row_number, link_holds, content_holds):
    if seq != row_number:
        return row_number - 1, ChainBreak(firm_id, row_number, missing_reason(row_number))
    if not link_holds:
        return seq - 1, ChainBreak(firm_id, seq, str(LINK_BROKEN))
    return seq - 1, ChainBreak(firm_id, seq, str(CONTENT_CHANGED))


def _verify_in_python(firm_id, head):
    rows = (
        AuditEntry.objects.filter(firm_id=firm_id)
        .order_by("seq")
        .values_list(*HASHED_COLUMNS, "hash")
        .iterator(chunk_size=20_000)
    )
    return find_first_break(rows, firm_id, head)


def firms_for_platform_job() -> list[Firm]:
    """Every firm, for jobs that visit each firm in turn (verification, scans)."""
    with tenant_scope(None, platform=True):
        return list(Firm.objects.order_by("pk"))


def audit_entries_for_object(*, firm_id: int, object_type: str, object_id: object, limit: int = 100):
    return list(
        AuditEntry.objects.filter(firm_id=firm_id, object_type=object_type, object_id=str(object_id))
        .order_by("-seq")[:limit]
    )
