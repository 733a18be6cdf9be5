"""The one audit writer. Every state change calls ``audit_record`` in its own transaction."""

from __future__ import annotations

import ipaddress
import json

from django.db import connection
from django.utils import timezone

from audit.chain import GENESIS_HASH, clean_text, entry_hash, normalise_changes
from audit.context import current_actor
from firms.tenancy import current_tenant, tenant_scope

_UNSET = object()


class AuditOutsideTransaction(RuntimeError):
    """An audit entry must be written in the same transaction as the change it records."""


def audit_record(
    *,
    action: str,
    object_type: str = "",
    object_id: object = "",
    case_id: int | None = None,
    changes: dict | None = None,
    firm_id: int | None | object = _UNSET,
) -> int:
    """Append an entry to the current firm's chain (or the platform chain); return its number.

    ``changes`` holds {field: [before, after]} or other facts; personal data that may
    later be erased goes in by reference (ids, hashes), never by value.
    """
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction(action)
    tenant = current_tenant()
    chain_firm = tenant.firm_id if firm_id is _UNSET else firm_id
    if chain_firm != tenant.firm_id or (chain_firm is None and not tenant.platform):
        # Writing to another chain than the transaction's (a sign-in before the firm
        # is known, an event of no firm): scope just this write to that chain.
        with tenant_scope(chain_firm, user_id=tenant.user_id, platform=chain_firm is None):
            return _write(chain_firm, action, object_type, object_id, case_id, changes)
    return _write(chain_firm, action, object_type, object_id, case_id, changes)


def _write(chain_firm, action, object_type, object_id, case_id, changes) -> int:
    actor = current_actor()
    seq, prev_hash = _lock_chain_head(chain_firm)
    values = {
        "firm_id": chain_firm,
        "seq": seq,
        "created_at": timezone.now(),
        "actor_user_id": actor.user_id,
        "actor_label": clean_text(actor.label),
        "action": clean_text(action),
        "object_type": clean_text(object_type),
        "object_id": clean_text(str(object_id)),
        "case_id": case_id,
        "changes": normalise_changes(changes or {}),
        "ip": canonical_ip(actor.ip),
        "user_agent": clean_text(actor.user_agent)[:300],
        "prev_hash": prev_hash,
    }
    digest = entry_hash(values)
    _append(values, digest)
    return seq


def canonical_ip(ip: str | None) -> str | None:
    try:
        return ipaddress.ip_address(ip).compressed if ip else None
    except ValueError:
        return None


def _lock_chain_head(firm_id: int | None) -> tuple[int, str]:
    """Take the chain head's row lock and move it on by one: (new number, previous hash)."""
    match = "firm_id = %s" if firm_id is not None else "firm_id IS NULL"
    params = [firm_id] if firm_id is not None else []
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(
                f"UPDATE audit_auditchainhead SET seq = seq + 1 WHERE {match} RETURNING seq, hash",  # noqa: S608
                params,
            )
            row = cursor.fetchone()
            if row:
                return row[0], row[1] or GENESIS_HASH
            cursor.execute(
                "INSERT INTO audit_auditchainhead (firm_id, seq, hash) VALUES (%s, 0, '')"
                " ON CONFLICT DO NOTHING",
                [firm_id],
            )
    raise RuntimeError("audit chain head could not be created")  # pragma: no cover


_INSERT_ENTRY = (
    "WITH entry AS ("
    " INSERT INTO audit_auditentry (firm_id, seq, created_at, actor_user_id, actor_label,"
    " action, object_type, object_id, case_id, changes, ip, user_agent, prev_hash, hash)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s) RETURNING seq) "
)


def _append(values: dict, digest: str) -> None:
    match = "firm_id = %s" if values["firm_id"] is not None else "firm_id IS NULL"
    head_params = [values["firm_id"]] if values["firm_id"] is not None else []
    move_head = f"UPDATE audit_auditchainhead SET hash = %s WHERE {match}"  # noqa: S608 - fixed
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_ENTRY + move_head,
            [
                values["firm_id"],
                values["seq"],
                values["created_at"],
                values["actor_user_id"],
                values["actor_label"],
                values["action"],
                values["object_type"],
                values["object_id"],
                values["case_id"],
                json.dumps(values["changes"], ensure_ascii=False),
                values["ip"],
                values["user_agent"],
                values["prev_hash"],
                digest,
                digest,
                *head_params,
            ],
        )
