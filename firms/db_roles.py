"""The database roles: the owner (migrations), the app (everything else), the definer.

The app role is neither superuser nor BYPASSRLS and owns no table, so row-level
security binds it. After each migrate the owner grants it what it needs, and
takes back UPDATE, DELETE and TRUNCATE on the append-only audit tables.

The definer role (``caseroom_search``: NOLOGIN, BYPASSRLS, made by a superuser once) owns
only the few SECURITY DEFINER functions that apps register here: functions that must use
an index row-level security would forbid, and that filter on the transaction's firm
themselves. It may read only the columns they name. Without that role (or without the
owner's membership of it) the functions stay with the owner: still correct, as row-level
security then binds them too, only slower; migrate says so.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DefinerFunction:
    signature: str  # as in ALTER FUNCTION: "case_search_ids(text, text)"
    reads: dict[str, tuple[str, ...]]  # table -> the columns it selects or filters on


DEFINER_FUNCTIONS: list[DefinerFunction] = []


def register_definer_function(signature: str, *, reads: dict[str, tuple[str, ...]]) -> None:
    """Called from an AppConfig.ready() for a function its migrations create."""
    function = DefinerFunction(signature, reads)
    if function not in DEFINER_FUNCTIONS:
        DEFINER_FUNCTIONS.append(function)


def definer_role_name() -> str:
    return settings.DATABASE_DEFINER_ROLE

APPEND_ONLY_TABLES = ("audit_auditentry",)


def app_role_name() -> str:
    return settings.DATABASES["default"]["USER"]


def grant_app_role_rights(sender=None, using="owner", **kwargs):
    if using != "owner" or sender is None or sender.name != "firms":
        return  # once per migrate, on the owner's connection only
    role = connections["owner"].ops.quote_name(app_role_name())
    statements = [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}",
    ]
    statements += [
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {role}" for table in APPEND_ONLY_TABLES
    ]
    with connections["owner"].cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    hand_definer_functions()


def hand_definer_functions() -> bool:
    """Give the registered functions to the definer role, with just the reads they need.

    True when every function is the definer's; False (and a warning) when that role is
    missing or the owner may not act for it, in which case nothing changes.
    """
    role_name = definer_role_name()
    connection = connections["owner"]
    role = connection.ops.quote_name(role_name)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolbypassrls, pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles WHERE rolname = %s",
            [role_name],
        )
        row = cursor.fetchone()
        if row is None or not row[0] or not row[1]:
            logger.warning(
                "Search runs under row-level security without its indexes (slow): role %s %s. "
                "See docs/deploy.md, 'Database roles'.", role_name,
                "is missing" if row is None else "has no BYPASSRLS" if not row[0]
                else "is not granted to the migrating role",
            )
            return False
        # ALTER ... OWNER needs the new owner to have CREATE on the schema (PostgreSQL rule).
        cursor.execute(f"GRANT USAGE, CREATE ON SCHEMA public TO {role}")
        for function in DEFINER_FUNCTIONS:
            cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [function.signature])
            if not cursor.fetchone()[0]:
                continue  # migrated back to before the function
            for table, columns in function.reads.items():
                column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
                cursor.execute(f"GRANT SELECT ({column_list}) ON {connection.ops.quote_name(table)} TO {role}")
            cursor.execute(f"ALTER FUNCTION {function.signature} OWNER TO {role}")
    return True
