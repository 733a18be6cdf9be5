"""Background work on documents. Thin: each task sets the firm and the actor, then calls a
service that checks state, so a repeated delivery changes nothing."""

from datetime import timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from audit.context import acting_as, system_actor
from audit.selectors import firms_for_platform_job
from documents import selectors, services
from firms.tenancy import tenant_scope

# Worth another try: the database or the storage did not answer. A damaged file is not
# retried; the service marks it failed.
TEMPORARY_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
# A version still waiting this long after its upload lost its task (or keeps failing).
REQUEUE_AFTER = timedelta(hours=1)
REQUEUE_FOR = timedelta(days=7)


@shared_task(name="documents.extract_text", autoretry_for=TEMPORARY_ERRORS, retry_backoff=True,
             retry_backoff_max=600, retry_jitter=True, max_retries=8)
def extract_text(version_id: int, firm_id: int) -> None:
    with acting_as(system_actor("extract_text")), tenant_scope(firm_id):
        services.document_version_extract_text(version_id=version_id)


@shared_task(name="documents.requeue_text_extraction")
def requeue_text_extraction() -> int:
    """Beat: queue again the PDFs whose text is still waiting. Queueing after commit loses the
    task if the process dies in between; the version row remembers. A duplicate does nothing."""
    now = timezone.now()
    window = (now - REQUEUE_FOR, now - REQUEUE_AFTER)
    queued = 0
    for firm in firms_for_platform_job():
        with tenant_scope(firm.pk):
            waiting = selectors.versions_waiting_for_text(firm_id=firm.pk, uploaded_between=window)
        for version_id in waiting:
            extract_text.delay(version_id, firm.pk)
        queued += len(waiting)
    return queued
