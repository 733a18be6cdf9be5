"""The canonical form of an audit entry and the hash that chains it to the one before."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64


def canonical_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def normalise_changes(changes: dict | None) -> dict:
    """What JSONB will give back: dates, decimals and UUIDs become strings now, not later."""
    return json.loads(json.dumps(changes or {}, default=str, ensure_ascii=False))


def entry_hash(
    *,
    firm_id: int | None,
    seq: int,
    created_at: datetime,
    actor_user_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    changes: dict,
    ip: str | None,
    user_agent: str,
    prev_hash: str,
) -> str:
    body = json.dumps(
        [
            firm_id,
            seq,
            canonical_time(created_at),
            actor_user_id,
            actor_label,
            action,
            object_type,
            object_id,
            changes,
            ip,
            user_agent,
            prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    firm_id: int | None
    seq: int
    reason: str


# The columns, in entry_hash's order, that verification reads.
HASHED_COLUMNS = (
    "firm_id",
    "seq",
    "created_at",
    "actor_user_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "changes",
    "ip",
    "user_agent",
    "prev_hash",
)


def find_first_break(rows, firm_id: int | None, head: tuple[int, str] | None) -> tuple[int, ChainBreak | None]:
    """Walk a chain's rows (HASHED_COLUMNS + hash, in seq order); return (count, first break)."""
    expected_seq, previous = 1, GENESIS_HASH
    for row in rows:
        values = dict(zip(HASHED_COLUMNS, row[:-1], strict=True))
        stored_hash = row[-1]
        if values["seq"] != expected_seq:
            return expected_seq - 1, ChainBreak(firm_id, expected_seq, f"entry {expected_seq} is missing")
        if values["prev_hash"] != previous:
            return expected_seq - 1, ChainBreak(firm_id, values["seq"], "previous-hash link does not match")
        if entry_hash(**values) != stored_hash:
            return expected_seq - 1, ChainBreak(firm_id, values["seq"], "content does not match its hash")
        previous = stored_hash
        expected_seq += 1
    count = expected_seq - 1
    if head is None:
        return count, None
    head_seq, head_hash = head
    if head_seq > count:
        return count, ChainBreak(firm_id, count + 1, f"entries {count + 1} to {head_seq} are missing")
    if head_seq < count or (count and head_hash != previous):
        return count, ChainBreak(firm_id, count, "chain head does not match the last entry")
    return count, None
