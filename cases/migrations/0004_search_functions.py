"""Search and conflict-check candidates found through the trigram indexes.

Under row-level security PostgreSQL will not use an index for LIKE or pg_trgm's %
(neither operator is LEAKPROOF), so every search read every row of the firm
(docs/performance.md). These two functions find matching ids with the indexes: they are
SECURITY DEFINER, handed after migrate to a NOLOGIN BYPASSRLS role
(firms/db_roles.hand_definer_functions), and filter on the firm of the transaction
themselves. They return ids only; callers read the rows under row-level security as
usual. Without that role they still work, owned by the migrating role and bound by
row-level security, only slowly.
"""

from django.db import migrations, models

CASE_SEARCH = r"""
CREATE OR REPLACE FUNCTION case_search_ids(q text, exact_number text DEFAULT NULL)
RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER ROWS 50
SET search_path = pg_catalog, public, pg_temp
AS $fn$
    SELECT c.id FROM public.cases_case c
     WHERE c.firm_id = nullif(current_setting('app.firm_id', true), '')::bigint
       AND (upper(c.title_en::text) LIKE '%' || upper(public.caseroom_like_escape(q)) || '%'
            OR upper(c.title_zh::text) LIKE '%' || upper(public.caseroom_like_escape(q)) || '%'
            OR upper(c.reference::text) LIKE '%' || upper(public.caseroom_like_escape(q)) || '%'
            OR upper(c.case_number::text) LIKE '%' || upper(public.caseroom_like_escape(q)) || '%'
            OR upper(c.case_number::text) = upper(exact_number))  -- served by the same index
    UNION
    SELECT p.case_id FROM public.cases_party p
     WHERE p.firm_id = nullif(current_setting('app.firm_id', true), '')::bigint
       AND (upper(p.name_en::text) LIKE '%' || upper(public.caseroom_like_escape(q)) || '%'
            OR upper(p.name_zh::text) LIKE '%' || upper(public.caseroom_like_escape(q)) || '%')
$fn$;
"""

PARTY_CONFLICTS = r"""
-- Positional parameters: in an SQL function a column of the same name would win.
CREATE OR REPLACE FUNCTION party_conflict_ids(searched_en text, searched_zh text, zh_parts text[],
                                              exclude_case bigint)
RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER ROWS 50
SET search_path = pg_catalog, public, pg_temp
-- %'s cut-off: cases/selectors/conflicts.py ENGLISH_THRESHOLD; lower finds only what it drops.
SET pg_trgm.similarity_threshold = 0.35
AS $fn$
    SELECT p.id FROM public.cases_party p
     WHERE p.firm_id = nullif(current_setting('app.firm_id', true), '')::bigint
       AND p.case_id IS DISTINCT FROM $4
       AND (p.name_en OPERATOR(public.%) $1
            OR upper(p.name_en::text) = upper($1)
            OR p.name_zh::text LIKE '%' || public.caseroom_like_escape($2) || '%'
            OR p.name_zh::text = ANY ($3))
$fn$;
"""

LIKE_ESCAPE = r"""
CREATE OR REPLACE FUNCTION caseroom_like_escape(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$ SELECT replace(replace(replace(value, '\', '\\'), '%', '\%'), '_', '\_') $fn$;
"""

FUNCTIONS = ("case_search_ids(text, text)", "party_conflict_ids(text, text, text[], bigint)")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0003_search_indexes_on_upper"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="party",
            index=models.Index(fields=["firm", "name_zh"], name="party_firm_name_zh_idx"),
        ),
        migrations.RunSQL(LIKE_ESCAPE, reverse_sql="DROP FUNCTION IF EXISTS caseroom_like_escape(text)"),
        migrations.RunSQL(
            # Calling a pg_trgm function first loads the module, so that its setting is
            # known (user-settable) when the function is created with SET.
            [CASE_SEARCH, "SELECT similarity('a', 'a')", PARTY_CONFLICTS]
            + [f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC" for signature in FUNCTIONS],
            reverse_sql=[f"DROP FUNCTION IF EXISTS {signature}" for signature in FUNCTIONS],
        ),
    ]
