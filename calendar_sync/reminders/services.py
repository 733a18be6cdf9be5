"""Reminders: the scan that records what is due, the send that delivers each once, the
sweep that picks up what a dead process left, and notification preferences.

Exactly once (docs/calendar.md, "Reminders"):
- The scan inserts one ReminderDelivery per (firm, event, recipient, offset); the unique
  key makes a repeated scan, two beats or a scan racing a send insert nothing twice.
- The send runs in two transactions. Phase 1 locks the pending row (SELECT … FOR UPDATE
  WHERE status = 'pending': a second worker waits, then finds it no longer pending), writes the in-app Notification and moves the row on, all in one commit:
  the in-app notification exists exactly once. Phase 2 locks the row again, sends the
  e-mail while holding the lock, and marks it sent in the same transaction. A worker
  killed anywhere before that commit leaves the row owed (its lock dies with its
  connection), and redelivery or the sweep sends the e-mail. The one window left is
  between the mail server accepting the e-mail and the commit: a kill exactly there
  sends that e-mail twice (at least once, never lost), under the same Message-ID.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.selectors import firms_for_platform_job
from audit.services import audit_record
from calendar_sync.feeds.selectors import reminder_offsets
from calendar_sync.models import NotificationPreference, ReminderDelivery
from calendar_sync.reminders import emails, rules, scan, selectors
from config.errors import ValidationFailed
from firms.models import Membership
from firms.notifications import notification_create, notification_kinds, preference_for
from firms.tenancy import tenant_scope

logger = logging.getLogger(__name__)

# What a send did, for logs and tests.
SENT_IN_APP = "in_app"  # phase 1 only: no e-mail wanted
EMAILED = "emailed"
SKIPPED = "skipped"
EMAIL_FAILED = "email_failed"
NOTHING = "nothing"  # already done, or another worker has it right now


class NeedsOwnTransactions(RuntimeError):
    """reminder_deliver commits between its phases: it must not run inside an atomic block."""


# --- The scan -------------------------------------------------------------------------------


def reminders_scan(*, now: datetime) -> int:
    """Record every reminder and escalation due at ``now`` in every firm, and queue their
    sends after commit. Returns how many deliveries were recorded (new or re-armed)."""
    return sum(reminders_scan_firm(firm_id=firm.pk, now=now) for firm in firms_for_platform_job())


def reminders_scan_firm(*, firm_id: int, now: datetime) -> int:
    batch = rules.setting("REMINDER_SCAN_BATCH", 5000)
    total = 0
    while True:
        with tenant_scope(firm_id):
            ids = scan.insert_due_deliveries(firm_id=firm_id, now=now, batch=batch)
            queue_sends(firm_id=firm_id, delivery_ids=ids)
        total += len(ids)
        if len(ids) < batch:
            return total


def queue_sends(*, firm_id: int, delivery_ids: list[int]) -> None:
    """After commit, one send task per handful of deliveries. ``robust``: if the broker is
    down the rows stay pending and the sweep queues them again."""
    from calendar_sync.tasks import reminder_send

    size = rules.setting("REMINDER_SEND_BATCH", 20)
    for start in range(0, len(delivery_ids), size):
        chunk = delivery_ids[start:start + size]
        transaction.on_commit(partial(reminder_send.delay, firm_id, chunk), robust=True)


# --- The sweep ------------------------------------------------------------------------------


def reminders_sweep(*, now: datetime) -> int:
    """Queue again the deliveries that stayed pending or half-sent (in-app done, e-mail
    owed) for longer than REMINDER_SWEEP_AFTER_MINUTES. Sending them twice is harmless:
    a send claims its row first."""
    stuck_after = timedelta(minutes=rules.setting("REMINDER_SWEEP_AFTER_MINUTES", 5))
    limit = rules.setting("REMINDER_SWEEP_BATCH", 2000)
    total = 0
    for firm in firms_for_platform_job():
        with tenant_scope(firm.pk):
            ids = selectors.deliveries_to_retry(firm_id=firm.pk, statuses=(rules.PENDING, rules.SENDING),
                                                now=now, stuck_after=stuck_after, limit=limit)
            queue_sends(firm_id=firm.pk, delivery_ids=ids)
        total += len(ids)
    return total


# --- The send -------------------------------------------------------------------------------


def reminder_deliver(*, firm_id: int, delivery_id: int) -> str:
    """Deliver one reminder: in the app (phase 1), then by e-mail (phase 2), each phase its
    own transaction in the firm's scope. Safe to call any number of times, concurrently."""
    if connection.in_atomic_block:
        raise NeedsOwnTransactions("reminder_deliver must run outside transaction.atomic()")
    with tenant_scope(firm_id):
        delivery = selectors.delivery_to_claim(delivery_id=delivery_id, status=rules.PENDING)
        outcome = _deliver_in_app_phase(delivery) if delivery is not None else NOTHING
    if outcome in (SKIPPED, SENT_IN_APP):
        return outcome
    emailed = _send_owed_email(firm_id=firm_id, delivery_id=delivery_id)
    return emailed if emailed != NOTHING else outcome


def _deliver_in_app_phase(delivery: ReminderDelivery) -> str:
    now = timezone.now()
    reason = _skip_reason(delivery, now)
    if reason:
        _set_state(delivery, status=rules.SKIPPED, last_error=reason)
        return SKIPPED
    wants = preference_for(delivery.recipient, emails.reminder_kind(delivery))
    if wants.in_app:
        _deliver_in_app(delivery, now)
    if wants.by_email:
        _set_state(delivery, status=rules.SENDING)
        return rules.SENDING
    _set_state(delivery, status=rules.SENT, sent_at=now)
    return SENT_IN_APP


def _deliver_in_app(delivery: ReminderDelivery, now: datetime) -> None:
    recipient, event = delivery.recipient, delivery.event
    with translation.override(recipient.user.language):
        title = emails.reminder_title(delivery, now)
    notification_create(recipient=recipient, kind=emails.reminder_kind(delivery), title=title,
                        url=emails.event_path(event), case_id=event.case_id)


def _send_owed_email(*, firm_id: int, delivery_id: int) -> str:
    try:
        with tenant_scope(firm_id):
            delivery = selectors.delivery_to_claim(delivery_id=delivery_id, status=rules.SENDING)
            if delivery is None:
                return NOTHING
            # The row stays locked while the mail server talks: a second worker waits and
            # then finds it sent; a worker killed here releases it, still owed.
            emails.reminder_email_send(delivery)
            _set_state(delivery, status=rules.SENT, sent_at=timezone.now())
            return EMAILED
    except emails.PERMANENT_ERRORS as error:
        _record_email_failure(firm_id=firm_id, delivery_id=delivery_id, error=error, permanent=True)
    except emails.TEMPORARY_ERRORS as error:
        _record_email_failure(firm_id=firm_id, delivery_id=delivery_id, error=error, permanent=False)
    return EMAIL_FAILED


def _record_email_failure(*, firm_id: int, delivery_id: int, error: Exception, permanent: bool) -> None:
    """Count the attempt; after REMINDER_MAX_EMAIL_ATTEMPTS (or a refusal for good) give up
    on the e-mail. The in-app notification went already."""
    logger.warning("reminder %s: e-mail failed: %s", delivery_id, error)
    give_up_after = rules.setting("REMINDER_MAX_EMAIL_ATTEMPTS", 12)
    with tenant_scope(firm_id):
        owed = ReminderDelivery.objects.filter(pk=delivery_id, status=rules.SENDING)
        owed.update(attempts=F("attempts") + 1, last_error=f"e-mail: {error}"[:2000])
        if permanent:
            owed.update(status=rules.FAILED)
        else:
            owed.filter(attempts__gte=give_up_after).update(status=rules.FAILED)


def _skip_reason(delivery: ReminderDelivery, now: datetime) -> str:
    """Why this delivery is no longer wanted, or "" (the scan's rules, checked again now)."""
    event, recipient = delivery.event, delivery.recipient
    if not (recipient.is_active and recipient.user.is_active):
        return "recipient no longer active"
    if event.status == rules.CANCELLED:
        return "event cancelled"
    if rules.due_at(event, delivery.offset_minutes) != delivery.due_at:
        return "event moved"
    if delivery.offset_minutes == rules.ESCALATION_OFFSET:
        if event.kind not in rules.DEADLINE_KINDS or event.is_done:
            return "deadline done"
        if recipient.pk not in selectors.escalation_member_ids(event):
            return "no longer supervising"
        return ""
    if event.kind not in rules.REMINDED_KINDS or event.is_done:
        return "deadline done"
    if delivery.offset_minutes not in _offsets_now(event):
        return "reminder no longer set for this event"
    if now >= rules.too_late_at(event):
        return "too late: the event has begun"
    if recipient.pk not in selectors.event_member_ids(event):
        return "no longer on the event"
    return ""


def _offsets_now(event) -> list[int]:
    """The event's offsets as they are now: its own were changed, or the firm's, since the scan."""
    firm_offsets = reminder_offsets(event.firm_id) if event.reminder_offsets_minutes is None else []
    return rules.offsets_for(event, firm_offsets)


def _set_state(delivery: ReminderDelivery, **fields) -> None:
    """Only ever on a row this transaction holds locked."""
    ReminderDelivery.objects.filter(pk=delivery.pk).update(**fields)


# --- Notification preferences ------------------------------------------------------------------


@transaction.atomic
def notification_preferences_save(*, membership: Membership, choices: dict[str, tuple[bool, bool]]) -> int:
    """Record a person's choices {kind: (in_app, by_email)}; returns how many changed."""
    known = {kind for kind, _label in notification_kinds()}
    unknown = set(choices) - known
    if unknown:
        raise ValidationFailed(_("Unknown kinds of notification: %(kinds)s") % {
            "kinds": ", ".join(sorted(unknown))})
    changes = {}
    for kind, (in_app, by_email) in choices.items():
        before = preference_for(membership, kind)
        if (before.in_app, before.by_email) == (in_app, by_email):
            continue
        NotificationPreference.objects.update_or_create(
            firm_id=membership.firm_id, membership=membership, kind=kind,
            defaults={"in_app": in_app, "by_email": by_email})
        changes[kind] = [[before.in_app, before.by_email], [in_app, by_email]]
    if changes:
        audit_record(action="notification_preferences.update", object_type="membership",
                     object_id=membership.pk, changes=changes)
    return len(changes)
