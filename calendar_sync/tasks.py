"""Background work of the calendar: reminder scans, sends and sweeps, and the e-mails of
notifications. Thin: each task sets the actor (and the firm, where it has one) and calls a
service that checks state, so a repeated delivery changes nothing.

Beat runs ``calendar_sync.reminders_scan`` every minute and ``calendar_sync.reminders_sweep``
every two (config/settings.py CELERY_BEAT_SCHEDULE).
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from audit.context import acting_as, system_actor
from calendar_sync.reminders import services as reminders
from firms import notifications
from firms.tenancy import tenant_scope

# Worth another try: the database or the broker did not answer.
TEMPORARY_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
RETRIES = {"autoretry_for": TEMPORARY_ERRORS, "retry_backoff": True, "retry_backoff_max": 600,
           "retry_jitter": True, "max_retries": 8}


@shared_task(name="calendar_sync.reminders_scan", **RETRIES)
def reminders_scan() -> int:
    with acting_as(system_actor("reminders_scan")):
        return reminders.reminders_scan(now=timezone.now())


@shared_task(name="calendar_sync.reminders_sweep", **RETRIES)
def reminders_sweep() -> int:
    with acting_as(system_actor("reminders_sweep")):
        return reminders.reminders_sweep(now=timezone.now())


@shared_task(name="calendar_sync.reminder_send", soft_time_limit=300, **RETRIES)
def reminder_send(firm_id: int, delivery_ids: list[int]) -> dict[int, str]:
    """Each delivery claims its own row, so a redelivered batch repeats nothing."""
    with acting_as(system_actor("reminder_send")):
        return {delivery_id: reminders.reminder_deliver(firm_id=firm_id, delivery_id=delivery_id)
                for delivery_id in delivery_ids}


@shared_task(name="firms.notification_email_send", soft_time_limit=120,
             autoretry_for=(*TEMPORARY_ERRORS, OSError), retry_backoff=True, retry_backoff_max=900,
             retry_jitter=True, max_retries=8)
def notification_email_send(firm_id: int, recipient_id: int, kind: str, title: str, url: str,
                            notification_id: int | None = None) -> bool:
    """The e-mail of one notify(); lives here because firms has no task module of its own."""
    with acting_as(system_actor("notification_email")), tenant_scope(firm_id):
        return notifications.notification_email_send(recipient_id=recipient_id, kind=kind, title=title,
                                                      url=url, notification_id=notification_id)
