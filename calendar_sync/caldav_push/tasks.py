"""Background work of the CalDAV push. Thin: each task sets the firm and the actor, then calls
a service that checks state, so a repeated delivery changes nothing.

Retries are for temporary trouble only (the server unreachable, slow, or failing on its
side; our database briefly gone), with exponential back-off and jitter. A refusal (wrong
password, no such calendar) is recorded by the service and never retried.

The worker must import this module: ``app.autodiscover_tasks()`` only finds
``<app>/tasks.py`` (see docs/calendar.md, "Sync").
"""

import random
from datetime import timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from audit.context import acting_as, system_actor
from audit.selectors import firms_for_platform_job
from calendar_sync.caldav_push import selectors, services
from calendar_sync.models import CalDAVConnection
from firms.tenancy import tenant_scope

RETRY_BASE_SECONDS = 30.0
RETRY_MAX_SECONDS = 600.0
MAX_RETRIES = 8  # about 45 minutes of trying, then the push shows as failed
# The sweep: changes in this window whose push never ran, older than a fresh change's own task.
SWEEP_CHANGED_WITHIN = timedelta(days=2)
SWEEP_LEAVE_FRESH_FOR = timedelta(minutes=5)
IN_FLIGHT_FOR = timedelta(hours=1)  # longer than a whole chain of retries


def backoff_seconds(retries: int) -> float:
    """30 s, 60 s, 120 s … capped at 10 minutes, each between half and all of that ("equal jitter")."""
    ceiling = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** retries)
    return ceiling / 2 + random.uniform(0, ceiling / 2)


@shared_task(bind=True, name="calendar_sync.caldav_push_event", max_retries=MAX_RETRIES)
def push_event(self, connection_id: int, event_id: int, firm_id: int) -> str:
    final_attempt = self.request.retries >= self.max_retries
    try:
        with acting_as(system_actor("caldav_push")), tenant_scope(firm_id):
            result = services.caldav_event_push(connection_id=connection_id, event_id=event_id,
                                                final_attempt=final_attempt)
    except (OperationalError, InterfaceError) as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    if result.retry is not None:
        raise self.retry(exc=result.retry, countdown=backoff_seconds(self.request.retries))
    return result.outcome


@shared_task(name="calendar_sync.caldav_backfill", autoretry_for=(OperationalError, InterfaceError),
             retry_backoff=True, max_retries=5)
def backfill(connection_id: int, firm_id: int) -> int:
    """Just connected: queue the person's coming events."""
    with tenant_scope(firm_id):
        connection = (CalDAVConnection.objects.select_related("membership")
                      .filter(pk=connection_id, status=CalDAVConnection.Status.OK).first())
        event_ids = selectors.events_to_backfill(connection) if connection else []
    for event_id in event_ids:
        push_event.delay(connection_id, event_id, firm_id)
    return len(event_ids)


@shared_task(name="calendar_sync.caldav_push_sweep")
def push_sweep() -> int:
    """Beat: queue the pushes whose task was lost between commit and publish."""
    now = timezone.now()
    window = (now - SWEEP_CHANGED_WITHIN, now - SWEEP_LEAVE_FRESH_FOR)
    queued = 0
    for firm in firms_for_platform_job():
        with tenant_scope(firm.pk):
            lost = selectors.pushes_lost(changed_between=window, in_flight_for=IN_FLIGHT_FOR)
        for connection_id, event_id in lost:
            push_event.delay(connection_id, event_id, firm.pk)
        queued += len(lost)
    return queued
