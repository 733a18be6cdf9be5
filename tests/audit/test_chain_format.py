"""The hash is defined twice (Python and SQL); these hold the two to each other."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection, transaction

from audit.chain import SEPARATOR, canonical_text, entry_hash, jsonb_text, normalise_changes
from audit.context import Actor, acting_as
from audit.models import AuditEntry
from audit.services import audit_record

AWKWARD_CHANGES = [
    {},
    {"title": ["陳大文 v 李小龍", "CHAN Tai Man v LEE Siu Lung"]},
    {"bb": 1, "a": 2, "ccc": {"z": None, "yy": True, "x": [1, "two", False]}},
    {"quote\"and\\slash": "line\nbreak\ttab\u0001ctl", "emoji": "⚖️"},
    {"when": dt.date(2026, 2, 27), "fee": Decimal("1234.50"), "ratio": 0.1},
]


@pytest.mark.parametrize("changes", AWKWARD_CHANGES)
@pytest.mark.parametrize("ip", [None, "203.0.113.9", "2001:db8::1"])
def test_python_and_sql_hash_an_entry_identically(firm_a, changes, ip):
    with acting_as(Actor(user_id=7, label="user", ip=ip, user_agent="Mozilla/5.0 (測試)")), \
            firm_a.scope():
        seq = audit_record(action="test.format", object_type="case", object_id=42, case_id=42,
                           changes=changes)
        entry = AuditEntry.objects.get(firm=firm_a.firm, seq=seq)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT audit_entry_hash(firm_id, seq, created_at, actor_user_id, actor_label, action,"
                " object_type, object_id, case_id, changes, ip, user_agent, prev_hash) FROM audit_auditentry"
                " WHERE firm_id = %s AND seq = %s", [firm_a.firm.pk, seq])
            in_sql = cursor.fetchone()[0]
    values = {name: getattr(entry, name) for name in
              ("firm_id", "seq", "created_at", "actor_user_id", "actor_label", "action", "object_type",
               "object_id", "case_id", "changes", "ip", "user_agent", "prev_hash")}
    assert entry.hash == entry_hash(values) == in_sql
    assert entry.changes == normalise_changes(changes)


@pytest.mark.parametrize("changes", AWKWARD_CHANGES)
def test_postgres_prints_changes_as_jsonb_text_does(db, changes):
    normalised = normalise_changes(changes)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT %s::jsonb::text", [json.dumps(normalised, ensure_ascii=False)])
        assert cursor.fetchone()[0] == jsonb_text(normalised)


def test_control_characters_cannot_shift_text_between_fields(firm_a):
    with acting_as(Actor(user_agent="evil\x1fagent\n")), firm_a.scope():
        seq = audit_record(action="test\x1f.shift", object_type="case\x1f")
        entry = AuditEntry.objects.get(firm=firm_a.firm, seq=seq)
    assert (entry.action, entry.object_type, entry.user_agent) == ("test.shift", "case", "evilagent")
    assert SEPARATOR not in canonical_text({**{c: getattr(entry, c) for c in
                                               ("firm_id", "seq", "created_at", "actor_user_id",
                                                "changes", "ip", "prev_hash")},
                                            "actor_label": "", "action": entry.action,
                                            "object_type": entry.object_type, "object_id": "",
                                            "case_id": None,
                                            "user_agent": entry.user_agent}).replace(SEPARATOR, "", 12)
