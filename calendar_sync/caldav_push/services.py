"""Connecting a person's CalDAV calendar, pushing one event to it, and the bookkeeping of
what the remote calendar holds (CalDAVEventState).

A push is idempotent: it PUTs the event at a fixed href (from its UID), so a repeat
overwrites rather than duplicates, and it does nothing at all when the state already
has ``pushed_sequence >= event.sequence`` in the wanted status. The state row is locked
for the whole push, so two deliveries for one event and calendar never overtake each
other. A cancelled event, or one the person may no longer see, is deleted remotely.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_record
from calendar_sync.caldav_push import selectors
from calendar_sync.caldav_push.client import (
    PermanentPushError,
    PushError,
    RemoteCalendar,
    TemporaryPushError,
    check_url,
)
from calendar_sync.crypto import UnreadableSecret
from calendar_sync.feeds import ics
from calendar_sync.feeds.selectors import event_belongs_to, reminder_offsets
from calendar_sync.models import CalDAVConnection, CalDAVEventState, Event
from config.errors import ValidationFailed
from firms.models import Membership

States = CalDAVEventState.Status
CONNECT_TIMEOUT_SECONDS = 8.0  # a person is waiting on the page


def queue_push(*, connection_id: int, event_id: int, firm_id: int) -> None:
    """After commit (at once outside a transaction), one push task. A broker that is down
    loses it (logged), never the page; ``pushes_lost`` finds it later."""
    from calendar_sync.caldav_push import tasks

    transaction.on_commit(partial(tasks.push_event.delay, connection_id, event_id, firm_id), robust=True)


# --- Connecting --------------------------------------------------------------------------------


@transaction.atomic
def caldav_connect(*, membership: Membership, calendar_url: str, username: str, password: str) -> CalDAVConnection:
    """Check the calendar answers to these credentials, then save them (replacing an earlier
    connection) and send the person's coming events. A refusal saves nothing."""
    url = _checked_url(calendar_url, username, password)
    _verify(url, username, password)
    connection = CalDAVConnection.objects.select_for_update().filter(membership=membership).first()
    before = connection.status if connection else None
    if connection is None:
        connection = CalDAVConnection(firm_id=membership.firm_id, membership=membership)
    else:
        connection.states.all().delete()  # another calendar, or the same one afresh: send everything
    connection.calendar_url, connection.username, connection.password = url, username.strip(), password
    connection.status, connection.last_error = CalDAVConnection.Status.OK, ""
    connection.created_at = timezone.now()
    connection.save()
    audit_record(action="calendar.caldav_connect", object_type="caldav_connection", object_id=connection.pk,
                 changes={"status": [before, connection.status], "host": urlsplit(url).hostname})
    connection_id, firm_id = connection.pk, connection.firm_id
    transaction.on_commit(partial(_queue_backfill, connection_id, firm_id), robust=True)
    return connection


def _checked_url(calendar_url: str, username: str, password: str) -> str:
    missing = {}
    if not (calendar_url or "").strip():
        missing["calendar_url"] = [_("Enter the calendar's address (its CalDAV URL).")]
    if not (username or "").strip():
        missing["username"] = [_("Enter the user name for the calendar.")]
    if not password:
        missing["password"] = [_("Enter the password (an app password, if your provider has them).")]
    if missing:
        raise ValidationFailed(_("The calendar could not be connected; see the fields marked."), fields=missing)
    if len(calendar_url.strip()) > CalDAVConnection._meta.get_field("calendar_url").max_length - 1:
        raise ValidationFailed(_("That address is too long."), fields={"calendar_url": [_("That address is too long.")]})
    try:
        return check_url(calendar_url)
    except PermanentPushError as error:
        raise ValidationFailed(error.message, fields={"calendar_url": [error.message]}) from None


def _verify(url: str, username: str, password: str) -> None:
    try:
        with RemoteCalendar(url, username.strip(), password, timeout=CONNECT_TIMEOUT_SECONDS) as remote:
            remote.verify()
    except PushError as error:
        field = "password" if error.status == 401 else "calendar_url"
        code = "caldav_unreachable" if error.temporary else "caldav_refused"
        raise ValidationFailed(_("The calendar could not be connected: %(reason)s") % {"reason": error.message},
                               fields={field: [error.message]}, code=code) from None


def _queue_backfill(connection_id: int, firm_id: int) -> None:
    from calendar_sync.caldav_push import tasks

    tasks.backfill.delay(connection_id, firm_id)


@transaction.atomic
def caldav_disconnect(*, membership: Membership) -> None:
    """Stop pushing, and forget the password. Events already sent stay in that calendar."""
    connection = CalDAVConnection.objects.select_for_update().filter(membership=membership).first()
    if connection is None or connection.status == CalDAVConnection.Status.DISCONNECTED:
        return
    before = connection.status
    connection.states.all().delete()
    connection.status, connection.password, connection.last_error = CalDAVConnection.Status.DISCONNECTED, "", ""
    connection.save(update_fields=["status", "password", "last_error"])
    audit_record(action="calendar.caldav_disconnect", object_type="caldav_connection", object_id=connection.pk,
                 changes={"status": [before, connection.status]})


@transaction.atomic
def caldav_retry_failed(*, membership: Membership) -> int:
    """Send again the events whose push was given up on; how many were queued."""
    connection = selectors.connection_of(membership)
    if connection is None or connection.status != CalDAVConnection.Status.OK:
        return 0
    event_ids = selectors.failed_pushes(connection)
    connection.states.filter(event_id__in=event_ids).update(status=States.PENDING, attempts=0,
                                                            updated_at=timezone.now())
    for event_id in event_ids:
        queue_push(connection_id=connection.pk, event_id=event_id, firm_id=connection.firm_id)
    return len(event_ids)


# --- Pushing one event -------------------------------------------------------------------------


@dataclass(frozen=True)
class PushResult:
    outcome: str  # "pushed", "removed", "unchanged", "skipped", "failed" or "retry"
    retry: TemporaryPushError | None = None


@transaction.atomic
def caldav_event_push(*, connection_id: int, event_id: int, final_attempt: bool = False) -> PushResult:
    """Bring one event on one calendar up to date. A temporary failure is recorded and handed
    back (``retry``) for the task to try again later, unless this was the last attempt."""
    connection = CalDAVConnection.objects.select_related("membership__user").filter(pk=connection_id).first()
    if connection is None or connection.status != CalDAVConnection.Status.OK:
        return PushResult("skipped")  # disconnected, or failing until reconnected: no retry storm
    event = Event.objects.select_related("case").filter(pk=event_id).first()
    if event is None:
        return PushResult("skipped")
    state = _locked_state(connection, event)
    belongs = event.status != Event.Status.CANCELLED and event_belongs_to(connection.membership, event)
    wanted = States.SYNCED if belongs else States.DELETED
    if state.pushed_sequence >= event.sequence and state.status == wanted:
        return PushResult("unchanged")  # a repeated delivery
    try:
        href, etag = _send(connection, state, event, wanted)
    except PermanentPushError as error:
        _record_refusal(connection, state, event, error)
        return PushResult("failed")
    except TemporaryPushError as error:
        _record_trouble(connection, state, error, final_attempt)
        return PushResult("failed") if final_attempt else PushResult("retry", retry=error)
    _save_state(state, status=wanted, pushed_sequence=event.sequence, href=href, etag=etag, attempts=0,
                last_error="")
    CalDAVConnection.objects.filter(pk=connection.pk).update(last_success_at=timezone.now(), last_error="")
    return PushResult("pushed" if wanted == States.SYNCED else "removed")


def _locked_state(connection: CalDAVConnection, event: Event) -> CalDAVEventState:
    state, _created = CalDAVEventState.objects.get_or_create(firm_id=connection.firm_id, connection=connection,
                                                            event=event)
    return CalDAVEventState.objects.select_for_update().get(pk=state.pk)


def _send(connection: CalDAVConnection, state: CalDAVEventState, event: Event, wanted: str) -> tuple[str, str]:
    if wanted == States.DELETED and not state.href:
        return "", ""  # never sent: nothing to take out
    if isinstance(connection.password, UnreadableSecret):
        raise PermanentPushError(_("Caseroom can no longer read the password it keeps for this calendar (its "
                                   "encryption key has changed). Connect the calendar again."))
    with RemoteCalendar(connection.calendar_url, connection.username, connection.password) as remote:
        if wanted == States.DELETED:
            remote.delete(state.href)
            return state.href, ""
        href = state.href or remote.href_for(event.uid)
        return href, remote.put(href, _document(connection, event))


def _document(connection: CalDAVConnection, event: Event) -> bytes:
    base = getattr(settings, "CASEROOM_SITE_URL", "").rstrip("/")

    def url_for_case(case_id: int) -> str | None:
        return f"{base}{reverse('cases:detail', args=[case_id])}" if base else None

    triggers = ics.reminder_triggers(event, reminder_offsets(event.firm_id), timezone.now())
    url = url_for_case(event.case_id) if event.case_id else None
    with translation.override(connection.membership.user.language):
        return ics.caldav_document(ics.vevent(event, triggers=triggers, url=url).to_ical())


def _record_refusal(connection: CalDAVConnection, state: CalDAVEventState, event: Event,
                    error: PermanentPushError) -> None:
    if error.whole_calendar:
        # Nothing more goes to this calendar until the person reconnects it (the sync page says so).
        CalDAVConnection.objects.filter(pk=connection.pk).update(status=CalDAVConnection.Status.ERROR,
                                                                 last_error=error.message)
        audit_record(action="calendar.caldav_failing", object_type="caldav_connection", object_id=connection.pk,
                     changes={"status": [connection.status, CalDAVConnection.Status.ERROR],
                              "http_status": error.status})
        _save_state(state, status=States.FAILED, attempts=state.attempts + 1, last_error=error.message)
    else:
        # This version of the event is refused; its next change will be tried afresh.
        _save_state(state, status=States.FAILED, pushed_sequence=event.sequence, attempts=state.attempts + 1,
                    last_error=error.message)


def _record_trouble(connection: CalDAVConnection, state: CalDAVEventState, error: TemporaryPushError,
                    final_attempt: bool) -> None:
    message = error.message
    if final_attempt:
        message = _("%(reason)s Gave up after %(n)s tries.") % {"reason": message, "n": state.attempts + 1}
    _save_state(state, status=States.FAILED if final_attempt else States.PENDING, attempts=state.attempts + 1,
                last_error=message)
    CalDAVConnection.objects.filter(pk=connection.pk).update(last_error=message)


def _save_state(state: CalDAVEventState, **values) -> None:
    for name, value in values.items():
        setattr(state, name, value)
    state.updated_at = timezone.now()
    state.save(update_fields=[*values, "updated_at"])
