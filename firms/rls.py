"""Row-level security: the database itself keeps each firm's rows to that firm.

Every request and every background task sets ``app.firm_id`` for its transaction
(firms.tenancy); these policies compare each row's firm with it. A query with no
firm set matches no row. The expression tolerates the empty string that a
transaction-local setting reads as after COMMIT.
"""

from django.db import migrations

CURRENT_FIRM = "nullif(current_setting('app.firm_id', true), '')::bigint"
CURRENT_USER = "nullif(current_setting('app.user_id', true), '')::bigint"
PLATFORM_SCOPE = "current_setting('app.platform', true) = 'on'"


def enable_rls_sql(table: str, using: str) -> str:
    return (
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\n"
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY;\n"
        f"CREATE POLICY firm_isolation ON {table} USING ({using}) WITH CHECK ({using});"
    )


def disable_rls_sql(table: str) -> str:
    return (
        f"DROP POLICY IF EXISTS firm_isolation ON {table};\n"
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;\n"
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;"
    )


class EnableFirmRLS(migrations.RunSQL):
    """Migration operation: forced row-level security on a table with a ``firm_id`` column."""

    def __init__(self, table: str, column: str = "firm_id"):
        self.table = table
        super().__init__(
            sql=enable_rls_sql(table, f"{column} = {CURRENT_FIRM}"),
            reverse_sql=disable_rls_sql(table),
        )

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.table], {})

    def describe(self):
        return f"Enable forced row-level security on {self.table}"
