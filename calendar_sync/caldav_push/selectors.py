"""Reads for the CalDAV push: a person's connection and how its events stand, which
calendars an event goes to, and what a lost task left behind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from calendar_sync.feeds.selectors import FEED_AHEAD, events_of_person
from calendar_sync.models import CalDAVConnection, CalDAVEventState, Event, EventAttendee
from firms.models import Membership

States = CalDAVEventState.Status


def connection_of(membership: Membership) -> CalDAVConnection | None:
    return CalDAVConnection.objects.filter(membership=membership).first()


@dataclass(frozen=True)
class ConnectionSummary:
    connection: CalDAVConnection
    synced: int
    waiting: int
    failed: int
    latest_failure: str

    @property
    def is_failing(self) -> bool:
        return self.connection.status == CalDAVConnection.Status.ERROR


def connection_summary(membership: Membership) -> ConnectionSummary | None:
    """The person's connected calendar with counts of its events by sync state, or None."""
    connection = connection_of(membership)
    if connection is None or connection.status == CalDAVConnection.Status.DISCONNECTED:
        return None
    counts = dict(connection.states.order_by().values_list("status").annotate(n=Count("pk")))
    latest_failure = (connection.states.filter(status=States.FAILED).order_by("-updated_at")
                      .values_list("last_error", flat=True).first() or "")
    return ConnectionSummary(connection=connection, synced=counts.get(States.SYNCED, 0),
                             waiting=counts.get(States.PENDING, 0), failed=counts.get(States.FAILED, 0),
                             latest_failure=latest_failure)


def connections_for_event(event_id: int) -> list[int]:
    """Working connections of the event's owner and attendees, and of anyone whose calendar
    holds it already (an attendee just removed must have it taken out)."""
    event = Event.objects.filter(pk=event_id).values("owner_id").first()
    if event is None:
        return []
    attendees = EventAttendee.objects.filter(event_id=event_id, membership__isnull=False).values("membership_id")
    holds_it = CalDAVEventState.objects.filter(connection=OuterRef("pk"), event_id=event_id)
    return list(CalDAVConnection.objects.filter(status=CalDAVConnection.Status.OK)
                .filter(Q(membership_id=event["owner_id"]) | Q(membership_id__in=attendees) | Exists(holds_it))
                .order_by("pk").values_list("pk", flat=True))


def events_to_backfill(connection: CalDAVConnection, *, now: datetime | None = None) -> list[int]:
    """On connecting: the person's events from today to a year ahead (the past is not sent)."""
    now = now or timezone.now()
    return list(events_of_person(connection.membership)
                .filter(Q(end__gte=now) | ~Q(rrule=""), start__lte=now + FEED_AHEAD)
                .exclude(status=Event.Status.CANCELLED).order_by("start", "pk").values_list("pk", flat=True))


def pushes_lost(*, changed_between: tuple[datetime, datetime], in_flight_for: timedelta) -> list[tuple[int, int]]:
    """(connection, event) pairs whose push never ran: the event changed in the window but the
    calendar's state is behind it and not being worked on. Queueing after commit loses the task
    if the process dies in between; this finds it. A push given up on (FAILED) is left to the
    person's "Try again" or the event's next change, so an outage never snowballs."""
    now = timezone.now()
    lost = []
    connections = CalDAVConnection.objects.filter(status=CalDAVConnection.Status.OK).select_related("membership")
    for connection in connections.order_by("pk"):
        current_or_busy = CalDAVEventState.objects.filter(connection=connection, event=OuterRef("pk")).filter(
            Q(pushed_sequence__gte=OuterRef("sequence")) | Q(status=States.FAILED)
            | Q(status=States.PENDING, updated_at__gte=now - in_flight_for))
        behind = (events_of_person(connection.membership)
                  .filter(updated_at__range=changed_between).exclude(Exists(current_or_busy)))
        lost += [(connection.pk, event_id) for event_id in behind.order_by("pk").values_list("pk", flat=True)]
    return lost


def failed_pushes(connection: CalDAVConnection) -> list[int]:
    return list(connection.states.filter(status=States.FAILED).order_by("pk").values_list("event_id", flat=True))
