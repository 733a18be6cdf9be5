from django.db import migrations, models

SOURCE = "ics-import"
# Imports that raced before this constraint may have left the same UID twice in one calendar:
# the later copies keep their events and lose the claim to the UID (nothing is deleted).
MARK_LATER_COPIES = """
UPDATE calendar_sync_event e
SET source_uid = left(e.source_uid, 270) || '#duplicate-' || e.id
FROM (SELECT id, row_number() OVER (PARTITION BY owner_id, source_uid ORDER BY id) AS copy
      FROM calendar_sync_event WHERE firm_id = %(firm)s AND source = %(source)s) d
WHERE e.id = d.id AND d.copy > 1 AND e.firm_id = %(firm)s
"""


def mark_duplicate_imports(apps, schema_editor, source=SOURCE):
    """Per firm, in its row-level-security scope (the tables' owner is bound by it too)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.platform', 'on', true)")
        cursor.execute("SELECT id FROM firms_firm ORDER BY id")
        firm_ids = [row[0] for row in cursor.fetchall()]
        for firm_id in firm_ids:
            cursor.execute("SELECT set_config('app.firm_id', %s, true)", [str(firm_id)])
            cursor.execute(MARK_LATER_COPIES, {"firm": firm_id, "source": source})
        cursor.execute("SELECT set_config('app.firm_id', '', true), set_config('app.platform', '', true)")


class Migration(migrations.Migration):

    dependencies = [
        ('calendar_sync', '0007_event_exdates'),
    ]

    operations = [
        migrations.RunPython(mark_duplicate_imports, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='event',
            constraint=models.UniqueConstraint(condition=models.Q(('source', 'ics-import')), fields=('firm', 'owner', 'source_uid'), name='event_imported_once_per_calendar'),
        ),
    ]
