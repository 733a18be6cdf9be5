"""The two database roles: the owner (migrations) and the app (everything else).

The app role is neither superuser nor BYPASSRLS and owns no table, so row-level
security binds it. After each migrate the owner grants it what it needs, and
takes back UPDATE, DELETE and TRUNCATE on the append-only audit tables.
"""

from django.conf import settings
from django.db import connections

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
