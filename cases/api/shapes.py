"""The case list and the case detail as the API answers them, built without DRF serializers.

These two are the hot read paths (docs/performance.md, item 6): nested ``ModelSerializer``s
and the ORM's query compilation took half of their time. Here the rows come from
``.values()`` (no model instances) and are shaped by plain functions into exactly what
``CaseSerializer`` / ``CaseDetailSerializer`` answer — same keys, same order, same values.
Those serializers stay the documented schema (the views name them in ``extend_schema``),
and tests/cases/test_api_shapes.py checks that both give the same JSON.

Derived values (display names, titles, progress) are computed by the models' own
properties, called on the ``.values()`` rows, so their rules live in one place.
"""

from __future__ import annotations

import datetime
import json
from types import SimpleNamespace

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONObject
from django.utils import timezone

from cases.models import Case, CaseTeamMember, ConflictCheck, Party
from firms.models import User

# --- values, as DRF's fields represent them ------------------------------------------------


def _datetime(value, tz) -> str | None:
    """As DRF's DateTimeField: in the current time zone ``tz``, ISO 8601, ``Z`` for UTC."""
    if not value:
        return None
    if isinstance(value, str):  # from JSON built by PostgreSQL
        value = datetime.datetime.fromisoformat(value)
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _str(value) -> str | None:
    return None if value is None else str(value)


def _int(value) -> int | None:
    return None if value is None else int(value)


def _float(value) -> float | None:
    return None if value is None else float(value)


def _bool(value) -> bool | None:
    return None if value is None else bool(value)


def _member(member_id, role, name_en, name_zh, email) -> dict | None:
    """``MemberSerializer``: the membership id, the person's display name, the role."""
    if member_id is None:
        return None
    person = SimpleNamespace(name_en=name_en, name_zh=name_zh, email=email)
    return {"id": member_id, "name": str(User.display_name.fget(person)), "role": role}


def _member_of(row: dict, prefix: str) -> dict | None:
    """A member from ``.values()`` columns ``<prefix>id``, ``<prefix>role``, ``<prefix>user__…``."""
    return _member(row[f"{prefix}id"], row[f"{prefix}role"], row[f"{prefix}user__name_en"],
                   row[f"{prefix}user__name_zh"], row[f"{prefix}user__email"])


def member_columns(prefix: str) -> list[str]:
    return [f"{prefix}id", f"{prefix}role", f"{prefix}user__name_en", f"{prefix}user__name_zh",
            f"{prefix}user__email"]


class CompiledOnce:
    """An ORM query compiled to SQL on first use and then reused, with one value changing.

    Compiling these queries costs the ORM 0.7–3 ms a request, several times what the
    database takes to run them. ``build(value)`` makes the queryset; it is built once with
    ``sentinel`` (a value no row has) as that value, and each run swaps the real value in
    for the sentinel among the SQL parameters. The query must not depend on anything
    else that varies (the firm comes from row-level security, not from a parameter).
    """

    def __init__(self, build, sentinel):
        self.build = build
        self.sentinel = sentinel
        self._sql: dict[str, tuple[str, tuple]] = {}

    def _compiled(self) -> tuple[str, tuple]:
        if connection.alias not in self._sql:
            query = self.build(self.sentinel).query
            sql, params = query.get_compiler(connection=connection).as_sql()
            if [p == self.sentinel for p in params].count(True) != 1:
                raise ValueError("the sentinel must be the query's only varying parameter, used once")
            self._sql[connection.alias] = (sql, tuple(params))
        return self._sql[connection.alias]

    def _execute(self, cursor, value) -> None:
        sql, params = self._compiled()
        cursor.execute(sql, [value if p == self.sentinel else p for p in params])

    def fetchall(self, value) -> list[tuple]:
        with connection.cursor() as cursor:
            self._execute(cursor, value)
            return cursor.fetchall()

    def fetchone(self, value):
        """The first column of the first row (JSON decoded), or None when there is no row."""
        with connection.cursor() as cursor:
            self._execute(cursor, value)
            row = cursor.fetchone()
        value = row[0] if row else None
        return json.loads(value) if isinstance(value, str) else value


# --- the case list ---------------------------------------------------------------------------

CASE_COLUMNS = [
    "id", "reference", "title_en", "title_zh", "case_number", "case_number_unlisted_prefix", "court",
    "practice_area", "stage", "status", "opened_on", "closed_on", "tags", "tasks_total", "tasks_done",
    "last_activity_at", "created_at", *member_columns("responsible_partner__"),
]


def case_row(row: dict, client_names: list[str], tz) -> dict:
    """``CaseSerializer`` of a ``.values(*CASE_COLUMNS)`` row; ``tz`` the current time zone."""
    case = SimpleNamespace(**row)
    return {
        "id": row["id"],
        "reference": row["reference"],
        "title_en": row["title_en"],
        "title_zh": row["title_zh"],
        "display_title": Case.display_title.fget(case),
        "case_number": row["case_number"],
        "case_number_unlisted_prefix": row["case_number_unlisted_prefix"],
        "court": row["court"],
        "practice_area": row["practice_area"],
        "stage": row["stage"],
        "status": row["status"],
        "opened_on": _date(row["opened_on"]),
        "closed_on": _date(row["closed_on"]),
        "responsible_partner": _member_of(row, "responsible_partner__"),
        "tags": [_str(tag) for tag in row["tags"]],
        "client_names": client_names,
        "progress": _progress(case),
        "last_activity_at": _datetime(row["last_activity_at"], tz),
        "created_at": _datetime(row["created_at"], tz),
    }


def _progress(case) -> dict:
    return {"done": int(case.tasks_done), "total": int(case.tasks_total),
            "percent": Case.progress_percent.fget(case)}


def _clients_query(case_ids: list[int]):
    # The ids as one array parameter (not IN (%s, %s, …)), so the SQL is the same for any page.
    ids = RawSQL("SELECT unnest(%s::bigint[])", [case_ids])  # noqa: S611 - a fixed text, the ids a parameter
    return (Party.objects.filter(is_client=True, case_id__in=ids).order_by("pk")
            .values_list("case_id", "name_en", "name_zh"))


_SENTINEL_IDS = [-7_301_914_284]
_clients = CompiledOnce(_clients_query, _SENTINEL_IDS)


def client_names_of(case_ids: list[int]) -> dict[int, list[str]]:
    """The client parties' display names of these cases (oldest party first), in one query."""
    names: dict[int, list[str]] = {}
    for case_id, name_en, name_zh in _clients.fetchall(list(case_ids)):
        names.setdefault(case_id, []).append(
            Party.display_name.fget(SimpleNamespace(name_en=name_en, name_zh=name_zh)))
    return names


def case_rows(rows: list[dict]) -> list[dict]:
    names = client_names_of([row["id"] for row in rows]) if rows else {}
    tz = timezone.get_current_timezone()
    return [case_row(row, names.get(row["id"], []), tz) for row in rows]


# --- one case --------------------------------------------------------------------------------


def case_detail(case: Case) -> dict:
    """``CaseDetailSerializer`` of a case loaded by ``case_for_member`` (with its responsible
    partner), plus its parties, team and latest conflict check from one more query."""
    related = _related.fetchone(case.pk) or {"parties": [], "team": [], "check": None}
    tz = timezone.get_current_timezone()
    partner = case.responsible_partner
    clients = [party for party in related["parties"] if party["is_client"]]
    return {
        "id": case.pk,
        "reference": case.reference,
        "title_en": case.title_en,
        "title_zh": case.title_zh,
        "display_title": case.display_title,
        "case_number": case.case_number,
        "case_number_unlisted_prefix": case.case_number_unlisted_prefix,
        "court": case.court,
        "practice_area": case.practice_area,
        "stage": case.stage,
        "status": case.status,
        "opened_on": _date(case.opened_on),
        "closed_on": _date(case.closed_on),
        "responsible_partner": None if partner is None else _member(
            partner.pk, partner.role, partner.user.name_en, partner.user.name_zh, partner.user.email),
        "tags": [_str(tag) for tag in case.tags],
        "client_names": [_party_name(party) for party in clients],
        "progress": _progress(case),
        "last_activity_at": _datetime(case.last_activity_at, tz),
        "created_at": _datetime(case.created_at, tz),
        "parties": [_party(party, tz) for party in related["parties"]],
        "team": [{"member": _member(m["id"], m["role"], m["name_en"], m["name_zh"], m["email"]),
                  "is_supervisor": m["is_supervisor"]} for m in related["team"]],
        "latest_conflict_check": _conflict_check(related["check"], tz),
    }


def _party_name(party: dict) -> str:
    return Party.display_name.fget(SimpleNamespace(name_en=party["name_en"], name_zh=party["name_zh"]))


def _party(party: dict, tz) -> dict:
    """``PartySerializer``."""
    return {
        "id": party["id"],
        "role": party["role"],
        "kind": party["kind"],
        "name_en": party["name_en"],
        "name_zh": party["name_zh"],
        "display_name": _party_name(party),
        "is_client": party["is_client"],
        "created_at": _datetime(party["created_at"], tz),
    }


def _json_member(member: dict | None) -> dict | None:
    if not member or member["id"] is None:
        return None
    return _member(member["id"], member["role"], member["name_en"], member["name_zh"], member["email"])


SEARCHED_FIELDS = {"name_en": _str, "name_zh": _str, "role": _str}
HIT_FIELDS = {
    "party_id": _int, "name_en": _str, "name_zh": _str, "role": _str, "is_client": _bool, "case_id": _int,
    "case_reference": _str, "case_number": _str, "case_title": _str, "case_status": _str,
    "similarity": _float, "searched_name": _str,
}


def _snapshot_items(items, fields: dict) -> list[dict]:
    """``SearchedNameSerializer`` / ``ConflictHitSerializer`` (many) of a check's JSON lists."""
    return [{name: represent(item[name]) for name, represent in fields.items()} for item in items]


def _conflict_check(check: dict | None, tz) -> dict | None:
    """``ConflictCheckSerializer``."""
    if check is None:
        return None
    return {
        "id": check["id"],
        "status": check["status"],
        "is_clear": ConflictCheck.is_clear.fget(SimpleNamespace(status=check["status"],
                                                                Status=ConflictCheck.Status)),
        "searched": _snapshot_items(check["searched"], SEARCHED_FIELDS),
        "hits": _snapshot_items(check["hits"], HIT_FIELDS),
        "run_by": _json_member(check["run_by"]),
        "run_at": _datetime(check["run_at"], tz),
        "cleared_by": _json_member(check["cleared_by"]),
        "cleared_at": _datetime(check["cleared_at"], tz),
        "clearance_reason": check["clearance_reason"],
    }


def _json_person(prefix: str) -> JSONObject:
    return JSONObject(id=f"{prefix}id", role=f"{prefix}role", name_en=f"{prefix}user__name_en",
                      name_zh=f"{prefix}user__name_zh", email=f"{prefix}user__email")


def _related_query(case_id: int):
    """A case's parties (oldest first), team (supervisors first) and latest conflict check
    (as ``cases.selectors.conflicts.latest_conflict_check`` orders them), as one JSON value."""
    parties = Party.objects.filter(case=OuterRef("pk")).order_by("pk").values(json=JSONObject(
        id="id", role="role", kind="kind", name_en="name_en", name_zh="name_zh", is_client="is_client",
        created_at="created_at"))
    team = CaseTeamMember.objects.filter(case=OuterRef("pk")).order_by("-is_supervisor", "pk").values(
        json=JSONObject(is_supervisor="is_supervisor", id="membership_id", role="membership__role",
                        name_en="membership__user__name_en", name_zh="membership__user__name_zh",
                        email="membership__user__email"))
    latest_check = ConflictCheck.objects.filter(case=OuterRef("pk")).order_by("-run_at", "-pk").values(
        json=JSONObject(id="id", status="status", searched="searched", hits="hits", run_at="run_at",
                        cleared_at="cleared_at", clearance_reason="clearance_reason",
                        run_by=_json_person("run_by__"), cleared_by=_json_person("cleared_by__")))[:1]
    return Case.objects.filter(pk=case_id).values_list(
        JSONObject(parties=ArraySubquery(parties), team=ArraySubquery(team), check=Subquery(latest_check)))


_SENTINEL_CASE_ID = -7_301_914_283
_related = CompiledOnce(_related_query, _SENTINEL_CASE_ID)
