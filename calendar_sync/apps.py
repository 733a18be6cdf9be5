from django.apps import AppConfig
from django.core import checks


class CalendarSyncConfig(AppConfig):
    name = "calendar_sync"

    def ready(self):
        checks.register(check_caldav_encryption_key)
        checks.register(check_caldav_encryption_key_is_set, checks.Tags.security, deploy=True)


def check_caldav_encryption_key(app_configs=None, **kwargs):
    """A CALDAV_ENCRYPTION_KEY that is not a Fernet key stops every command, not the first push."""
    from django.core.exceptions import ImproperlyConfigured

    from calendar_sync.crypto import configured_keys

    try:
        configured_keys()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="calendar_sync.E001")]
    return []


def check_caldav_encryption_key_is_set(app_configs=None, **kwargs):
    from django.conf import settings

    if getattr(settings, "CALDAV_ENCRYPTION_KEY", ""):
        return []
    return [checks.Info(
        "CALDAV_ENCRYPTION_KEY is not set: CalDAV passwords are encrypted under a key derived from SECRET_KEY.",
        hint="Give them a key of their own (docs/deploy.md), so that a leaked SECRET_KEY does not open them.",
        id="calendar_sync.I001")]
