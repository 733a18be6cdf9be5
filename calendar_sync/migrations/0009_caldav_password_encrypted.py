import calendar_sync.crypto
from django.db import migrations

from calendar_sync.crypto import decrypt_text, encrypt_text, is_encrypted


def _each_firm(schema_editor):
    """Firm by firm, in its row-level-security scope (the tables' owner is bound by it too)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.platform', 'on', true)")
        cursor.execute("SELECT id FROM firms_firm ORDER BY id")
        firm_ids = [row[0] for row in cursor.fetchall()]
        for firm_id in firm_ids:
            cursor.execute("SELECT set_config('app.firm_id', %s, true)", [str(firm_id)])
            yield firm_id, cursor
        cursor.execute("SELECT set_config('app.firm_id', '', true), set_config('app.platform', '', true)")


def _convert(schema_editor, wanted, change):
    for firm_id, cursor in _each_firm(schema_editor):
        cursor.execute("SELECT id, password FROM calendar_sync_caldavconnection WHERE firm_id = %s AND password <> ''",
                       [firm_id])
        for pk, stored in cursor.fetchall():
            if wanted(stored):
                cursor.execute("UPDATE calendar_sync_caldavconnection SET password = %s WHERE id = %s AND firm_id = %s",
                               [change(stored), pk, firm_id])


def encrypt_stored_passwords(apps, schema_editor):
    """Passwords stored in plain text before this migration, encrypted (CALDAV_ENCRYPTION_KEY,
    else a key derived from SECRET_KEY: the settings this migration runs with)."""
    _convert(schema_editor, lambda stored: not is_encrypted(stored), encrypt_text)


def decrypt_stored_passwords(apps, schema_editor):
    _convert(schema_editor, is_encrypted, decrypt_text)


class Migration(migrations.Migration):

    dependencies = [
        ('calendar_sync', '0008_event_imported_once'),
    ]

    operations = [
        migrations.AlterField(
            model_name='caldavconnection',
            name='password',
            field=calendar_sync.crypto.EncryptedTextField(blank=True, verbose_name='password'),
        ),
        migrations.RunPython(encrypt_stored_passwords, decrypt_stored_passwords),
    ]
