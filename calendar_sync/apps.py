from django.apps import AppConfig


class CalendarSyncConfig(AppConfig):
    name = "calendar_sync"
