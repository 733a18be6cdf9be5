from calendar_sync.models.deadlines import (
    DeadlineRule,
    HolidayAdjustment,
    LimitationRule,
    RegistryClosure,
)
from calendar_sync.models.events import Event, EventAttendee
from calendar_sync.models.reminders import NotificationPreference, ReminderDelivery, ReminderSetting
from calendar_sync.models.sync import CalDAVConnection, CalDAVEventState, FeedToken

__all__ = [
    "CalDAVConnection",
    "CalDAVEventState",
    "DeadlineRule",
    "Event",
    "EventAttendee",
    "FeedToken",
    "HolidayAdjustment",
    "LimitationRule",
    "NotificationPreference",
    "RegistryClosure",
    "ReminderDelivery",
    "ReminderSetting",
]
