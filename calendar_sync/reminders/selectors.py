"""Reads for reminders: the row a send claims, who an event's reminders are for, what the
sweep picks up again, and a person's notification preferences."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import DateTimeField
from django.db.models.expressions import RawSQL

from calendar_sync.models import Event, NotificationPreference, ReminderDelivery
from cases.models import Case, CaseTeamMember
from firms.models import Membership
from firms.notifications import Preference, notification_kinds


def delivery_to_claim(*, delivery_id: int, status: str) -> ReminderDelivery | None:
    """The delivery, locked for this transaction, if it is in ``status``.

    If another worker holds the row this waits for it, then PostgreSQL reads the row
    again: after that worker's commit the status no longer matches and this finds
    nothing; if that worker died, its lock went with its connection and this one takes
    over at once. (SKIP LOCKED would instead leave a row whose holder died to the sweep.)
    """
    return (ReminderDelivery.objects
            .select_for_update(of=("self",))
            .select_related("event", "event__case", "recipient", "recipient__user")
            .filter(pk=delivery_id, status=status)
            .first())


def event_member_ids(event: Event) -> set[int]:
    """The owner and every attendee who is a member: whom the event's reminders are for."""
    attendees = event.attendees.filter(firm_id=event.firm_id, membership__isnull=False)
    return {event.owner_id, *attendees.values_list("membership_id", flat=True)}


def escalation_member_ids(event: Event) -> set[int]:
    """The case's active supervisors; with none, its responsible partner; with no case, nobody."""
    if event.case_id is None:
        return set()
    supervisors = set(CaseTeamMember.objects.filter(firm_id=event.firm_id, case_id=event.case_id,
                                                    is_supervisor=True, membership__is_active=True)
                      .values_list("membership_id", flat=True))
    if supervisors:
        return supervisors
    partner = Case.objects.filter(pk=event.case_id).values_list("responsible_partner_id", flat=True).first()
    return {partner} if partner else set()


def deliveries_to_retry(*, firm_id: int, statuses: tuple[str, ...], now: datetime,
                        stuck_after: timedelta, limit: int) -> list[int]:
    """Deliveries still owed that nobody finished: their task was lost (a process died
    between commit and queueing), their worker died with the message unacknowledged, or
    the mail server failed. The wait grows with failed e-mail attempts: the k-th try comes
    k² × ``stuck_after`` after the delivery was recorded (5, 20, 45 … minutes)."""
    retry_before = RawSQL("%s - (attempts + 1) * (attempts + 1) * %s", (now, stuck_after),
                          output_field=DateTimeField())
    return list(ReminderDelivery.objects
                .filter(firm_id=firm_id, status__in=statuses, due_at__lte=now,
                        created_at__lt=retry_before)
                .order_by("due_at", "pk")
                .values_list("pk", flat=True)[:limit])


def preferences_of(membership: Membership) -> list[dict]:
    """One row per kind of notification with this person's choice (both on by default)."""
    chosen = {kind: Preference(in_app, by_email) for kind, in_app, by_email in
              NotificationPreference.objects.filter(firm_id=membership.firm_id, membership=membership)
              .values_list("kind", "in_app", "by_email")}
    return [{"kind": kind, "label": label, "preference": chosen.get(kind, Preference())}
            for kind, label in notification_kinds()]
