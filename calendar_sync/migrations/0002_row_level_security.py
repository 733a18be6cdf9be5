from django.db import migrations

from firms.rls import EnableFirmRLS

TABLES = [
    "calendar_sync_event",
    "calendar_sync_eventattendee",
    "calendar_sync_deadlinerule",
    "calendar_sync_holidayadjustment",
    "calendar_sync_registryclosure",
    "calendar_sync_limitationrule",
    "calendar_sync_remindersetting",
    "calendar_sync_reminderdelivery",
    "calendar_sync_notificationpreference",
    "calendar_sync_feedtoken",
    "calendar_sync_caldavconnection",
    "calendar_sync_caldaveventstate",
]


class Migration(migrations.Migration):
    dependencies = [("calendar_sync", "0001_initial")]

    operations = [EnableFirmRLS(table) for table in TABLES]
