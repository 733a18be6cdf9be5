"""The canonical form of an audit entry and the hash that chains it to the one before.

An entry's hash is SHA-256 over the UTF-8 of its fields joined by the unit
separator U+001F, in this order:

    firm_id, seq, created_at as YYYY-MM-DDTHH:MM:SS.ffffffZ (UTC), actor_user_id,
    actor_label, action, object_type, object_id, case_id, changes, ip, user_agent, prev_hash

A NULL is written as the empty string. ``changes`` is written as PostgreSQL prints
``jsonb``: ``", "`` and ``": "`` as separators, object keys shorter-first then by
bytes, non-ASCII as UTF-8. Text fields never hold U+001F (the writer removes
control characters), so fields cannot be shifted from one to another without
changing the hash. The same definition exists twice on purpose: here in
Python, which the writer uses and which verifies without trusting anything in the
database (``audit_verify --independent``), and as the SQL function
``audit_entry_hash`` (migration 0002), which verifies a million entries in seconds.
tests/audit/test_chain_format.py holds the two to each other.

``changes`` holds only strings, whole numbers, booleans, null, lists and objects:
``normalise_changes`` turns anything else (dates, decimals, floats) into strings
before the entry is written, so the stored JSON and the hashed JSON are the same.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

GENESIS_HASH = "0" * 64

# The columns, in canonical order, that the hash covers.
HASHED_COLUMNS = (
    "firm_id",
    "seq",
    "created_at",
    "actor_user_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "changes",
    "ip",
    "user_agent",
    "prev_hash",
)


def canonical_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalise_changes(value):
    """Changes as JSONB will store them, with only exactly-representable scalars."""
    if isinstance(value, dict):
        return {str(key): normalise_changes(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [normalise_changes(item) for item in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _jsonb_key_order(value):
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (len(key.encode()), key.encode()))
        return {key: _jsonb_key_order(value[key]) for key in keys}
    if isinstance(value, list):
        return [_jsonb_key_order(item) for item in value]
    return value


SEPARATOR = "\x1f"


def jsonb_text(value) -> str:
    return json.dumps(_jsonb_key_order(value), separators=(", ", ": "), ensure_ascii=False)


def canonical_text(values: dict) -> str:
    fields = [values[column] for column in HASHED_COLUMNS]
    fields[2] = canonical_time(fields[2])
    fields[9] = jsonb_text(fields[9])
    return SEPARATOR.join("" if field is None else str(field) for field in fields)


def clean_text(value: str) -> str:
    """Text for a hashed field: no control characters (so never the separator)."""
    return "".join(ch for ch in value if ch >= " " and ch != "\x7f")


def entry_hash(values: dict) -> str:
    return hashlib.sha256(canonical_text(values).encode()).hexdigest()


LINK_BROKEN = gettext_lazy("previous-hash link does not match")
CONTENT_CHANGED = gettext_lazy("content does not match its hash")
HEAD_MISMATCH = gettext_lazy("chain head does not match the last entry")


def missing_reason(seq: int) -> str:
    return _("entry %(seq)d is missing") % {"seq": seq}


@dataclass(frozen=True)
class ChainBreak:
    firm_id: int | None
    seq: int
    reason: str


def find_first_break(rows, firm_id: int | None, head: tuple[int, str] | None) -> tuple[int, ChainBreak | None]:
    """Walk a chain's rows (HASHED_COLUMNS then hash, in seq order): (count, first break)."""
    expected_seq, previous = 1, GENESIS_HASH
    for row in rows:
        values = dict(zip(HASHED_COLUMNS, row, strict=False))
        stored_hash = row[-1]
        if values["seq"] != expected_seq:
            return expected_seq - 1, ChainBreak(firm_id, expected_seq, missing_reason(expected_seq))
        if values["prev_hash"] != previous:
            return expected_seq - 1, ChainBreak(firm_id, values["seq"], str(LINK_BROKEN))
        if entry_hash(values) != stored_hash:
            return expected_seq - 1, ChainBreak(firm_id, values["seq"], str(CONTENT_CHANGED))
        previous = stored_hash
        expected_seq += 1
    return check_head(firm_id, expected_seq - 1, previous, head)


def check_head(firm_id, count: int, last_hash: str, head: tuple[int, str] | None):
    """The chain head must point at the last entry: a deleted tail shows up here."""
    if head is None:
        return count, None
    head_seq, head_hash = head
    if head_seq > count:
        return count, ChainBreak(firm_id, count + 1, str(
            _("entries %(first)d to %(last)d are missing") % {"first": count + 1, "last": head_seq}))
    if head_seq < count or (count and head_hash != last_hash):
        return count, ChainBreak(firm_id, count, str(HEAD_MISMATCH))
    return count, None
