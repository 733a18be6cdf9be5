"""Entry points for pushing events to people's own CalDAV calendars, kept as functions so
that event and case services need not know how the push happens (calendar_sync.caldav_push)."""

import logging

from firms.tenancy import tenant_scope

log = logging.getLogger(__name__)


def queue_push_for_event(*, event_id: int, firm_id: int) -> None:
    """Queue the push of one event to every connected calendar it belongs on, or was on.

    Called after commit by the event services: a failure here is logged, never raised, as the
    change is saved already; the periodic sweep (tasks.push_sweep) sends what is lost.
    """
    from calendar_sync.caldav_push import selectors, services

    try:
        with tenant_scope(firm_id):
            connection_ids = selectors.connections_for_event(event_id)
        for connection_id in connection_ids:
            services.queue_push(connection_id=connection_id, event_id=event_id, firm_id=firm_id)
    except Exception:
        log.exception("CalDAV push of event %s (firm %s) not queued", event_id, firm_id)


def queue_push_for_case_member(*, case_id: int, membership_id: int, firm_id: int) -> None:
    """Someone left a case's team: take its events out of their calendar (if it holds them).
    For ``cases.services.case_team_remove`` to call after commit."""
    from calendar_sync.caldav_push import services
    from calendar_sync.models import CalDAVConnection, CalDAVEventState

    try:
        with tenant_scope(firm_id):
            held = list(CalDAVEventState.objects.filter(
                connection__membership_id=membership_id, connection__status=CalDAVConnection.Status.OK,
                event__case_id=case_id).values_list("connection_id", "event_id"))
        for connection_id, event_id in held:
            services.queue_push(connection_id=connection_id, event_id=event_id, firm_id=firm_id)
    except Exception:
        log.exception("CalDAV removal of case %s for member %s not queued", case_id, membership_id)
