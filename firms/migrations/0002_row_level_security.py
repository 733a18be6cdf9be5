from django.db import migrations

from firms.rls import CURRENT_FIRM, CURRENT_USER, PLATFORM_SCOPE, EnableFirmRLS

FIRM_VISIBLE = (
    f"id = {CURRENT_FIRM} OR {PLATFORM_SCOPE} OR EXISTS (SELECT 1 FROM firms_membership m"
    f" WHERE m.firm_id = firms_firm.id AND m.user_id = {CURRENT_USER} AND m.is_active)"
)

class Migration(migrations.Migration):
    dependencies = [("firms", "0001_initial")]

    operations = [
        EnableFirmRLS("firms_office"),
        EnableFirmRLS("firms_team"),
        EnableFirmRLS("firms_membership"),
        EnableFirmRLS("firms_teammember"),
        # A person may read their own memberships before a firm is chosen (sign-in).
        migrations.RunSQL(
            f"CREATE POLICY own_memberships ON firms_membership FOR SELECT"
            f" USING (user_id = {CURRENT_USER});",
            "DROP POLICY own_memberships ON firms_membership;",
        ),
        # The tenant row itself: visible to its own transactions, to its members, and
        # to platform jobs that visit every firm; written only as itself.
        migrations.RunSQL(
            "ALTER TABLE firms_firm ENABLE ROW LEVEL SECURITY;"
            " ALTER TABLE firms_firm FORCE ROW LEVEL SECURITY;"
            f" CREATE POLICY firm_visible ON firms_firm FOR SELECT USING ({FIRM_VISIBLE});"
            f" CREATE POLICY firm_isolation ON firms_firm USING (id = {CURRENT_FIRM})"
            f" WITH CHECK (id = {CURRENT_FIRM});",
            "DROP POLICY firm_visible ON firms_firm; DROP POLICY firm_isolation ON firms_firm;"
            " ALTER TABLE firms_firm NO FORCE ROW LEVEL SECURITY;"
            " ALTER TABLE firms_firm DISABLE ROW LEVEL SECURITY;",
        ),
    ]
