from django.db import migrations

from firms.rls import CURRENT_FIRM, PLATFORM_SCOPE, disable_rls_sql, enable_rls_sql

# The platform chain (firm_id NULL) is visible only to a transaction that asks for it.
CHAIN_VISIBLE = f"firm_id = {CURRENT_FIRM} OR (firm_id IS NULL AND {PLATFORM_SCOPE})"

# Tests empty tables between transactional tests with TRUNCATE; they create this
# marker table in the test database only. Nothing in production creates it.
APPEND_ONLY = """
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND to_regclass('public.caseroom_test_allow_audit_truncate') IS NOT NULL THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_entry_no_update_delete BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""

# The SQL twin of audit.chain.entry_hash, for fast verification (audit.selectors).
ENTRY_HASH_FUNCTION = """
CREATE FUNCTION audit_entry_hash(
    p_firm_id bigint, p_seq bigint, p_created_at timestamptz, p_actor_user_id bigint,
    p_actor_label text, p_action text, p_object_type text, p_object_id text, p_case_id bigint,
    p_changes jsonb,
    p_ip text, p_user_agent text, p_prev_hash text
) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT encode(sha256(convert_to(concat_ws(E'\\x1f',
        coalesce(p_firm_id::text, ''), p_seq::text,
        to_char(p_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        coalesce(p_actor_user_id::text, ''), p_actor_label, p_action, p_object_type, p_object_id,
        coalesce(p_case_id::text, ''),
        p_changes::text, coalesce(p_ip, ''), p_user_agent, p_prev_hash
    ), 'UTF8')), 'hex')
$$;
"""

UNDO_APPEND_ONLY = """
DROP TRIGGER audit_entry_no_truncate ON audit_auditentry;
DROP TRIGGER audit_entry_no_update_delete ON audit_auditentry;
DROP FUNCTION audit_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunSQL(APPEND_ONLY, UNDO_APPEND_ONLY),
        migrations.RunSQL(ENTRY_HASH_FUNCTION, "DROP FUNCTION audit_entry_hash;"),
        migrations.RunSQL(enable_rls_sql("audit_auditentry", CHAIN_VISIBLE),
                          disable_rls_sql("audit_auditentry")),
        migrations.RunSQL(enable_rls_sql("audit_auditchainhead", CHAIN_VISIBLE),
                          disable_rls_sql("audit_auditchainhead")),
    ]
