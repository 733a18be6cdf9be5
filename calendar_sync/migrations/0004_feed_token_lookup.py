"""A calendar feed is fetched with no session: its URL's secret is the only credential, and
no firm is known until the token row is found. This policy lets exactly that row be read,
by the SHA-256 of the secret the request carried (calendar_sync.feeds.tokens), before
``app.firm_id`` is set. SELECT only: nothing can be written through it."""

from django.db import migrations

PRESENTED_HASH = "nullif(current_setting('app.feed_token', true), '')"


class Migration(migrations.Migration):
    dependencies = [("calendar_sync", "0003_deadline_rules_seed")]

    operations = [
        migrations.RunSQL(
            "CREATE POLICY feed_token_lookup ON calendar_sync_feedtoken FOR SELECT"
            f" USING (token_hash = {PRESENTED_HASH} AND revoked_at IS NULL);",
            "DROP POLICY feed_token_lookup ON calendar_sync_feedtoken;",
        ),
    ]
