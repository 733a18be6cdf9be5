"""Document text search through its trigram index: a SECURITY DEFINER function, for the
reason and with the safeguards of cases/0004_search_functions (docs/architecture.md,
"Search under row-level security")."""

from django.db import migrations

DOCUMENT_SEARCH = r"""
CREATE OR REPLACE FUNCTION document_search_ids(q text)
RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER ROWS 50
SET search_path = pg_catalog, public, pg_temp
AS $fn$
    SELECT DISTINCT v.document_id FROM public.documents_documentversion v
     WHERE v.firm_id = nullif(current_setting('app.firm_id', true), '')::bigint
       AND upper(v.text) LIKE '%' || upper(public.caseroom_like_escape(q)) || '%'
$fn$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0001_initial"),
        ("cases", "0004_search_functions"),  # caseroom_like_escape
    ]

    operations = [
        migrations.RunSQL(
            [DOCUMENT_SEARCH, "REVOKE ALL ON FUNCTION document_search_ids(text) FROM PUBLIC"],
            reverse_sql="DROP FUNCTION IF EXISTS document_search_ids(text)",
        ),
    ]
