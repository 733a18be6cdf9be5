"""Telling a member about something: in the app, by e-mail, or both, as they prefer.

``notify()`` runs inside the transaction of the change it reports. The in-app row
commits or rolls back with that change. The e-mail is an outside effect that cannot roll
back, so it is queued only after commit (never for a change that was undone) and a
worker sends it. Each person chooses per kind of notification (NotificationPreference);
with no choice recorded, both are on.

The in-app notification is exact: it commits with the change. Its e-mail is not: if the
process dies between the commit and queueing, or the broker is down then, that e-mail is
lost (logged); if a worker dies after the mail server took it but before the task is
acknowledged, it goes twice (under the same Message-ID). Reminders, which must not be
lost, keep a row per delivery and a sweep instead (calendar_sync.reminders).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from firms.models import Membership, Notification

logger = logging.getLogger(__name__)

# Kinds beyond Notification.Kind that this module and the reminders send. They fit the
# column (max_length 20); the model's owner is asked to add them as choices.
REMINDER = "reminder"
DEADLINE_MISSED = "deadline_missed"
DEADLINE_MOVED = "deadline_moved"
_MORE_KINDS = [
    (REMINDER, _("Reminder of a deadline or hearing")),
    (DEADLINE_MISSED, _("Missed deadline (to the supervising partner)")),
    (DEADLINE_MOVED, _("Deadline moved")),
]

EMAIL_TIMEOUT_SECONDS = 30  # when settings.EMAIL_TIMEOUT is unset: never hang a worker on SMTP


@dataclass(frozen=True)
class Preference:
    in_app: bool = True
    by_email: bool = True


def notification_kinds() -> list[tuple[str, str]]:
    """Every kind a person can choose about, in the order the preferences page shows them."""
    known = dict(Notification.Kind.choices)
    kinds = [(value, label) for value, label in known.items() if value != Notification.Kind.OTHER]
    kinds += [(value, label) for value, label in _MORE_KINDS if value not in known]
    return kinds


def preference_for(recipient: Membership, kind: str) -> Preference:
    from calendar_sync.models import NotificationPreference

    chosen = (NotificationPreference.objects
              .filter(firm_id=recipient.firm_id, membership_id=recipient.pk, kind=kind)
              .values_list("in_app", "by_email").first())
    return Preference(*chosen) if chosen else Preference()


def notify(*, recipient: Membership, kind: str, title: str, url: str = "",
           case_id: int | None = None) -> Notification | None:
    """Tell ``recipient``: the in-app notification (None if they turned it off for this
    kind), and an e-mail queued after commit if they want one."""
    wants = preference_for(recipient, kind)
    notification = notification_create(recipient=recipient, kind=kind, title=title, url=url,
                                       case_id=case_id) if wants.in_app else None
    if wants.by_email and recipient.is_active:
        queue_email(recipient=recipient, kind=kind, title=str(title), url=url,
                    notification_id=notification.pk if notification else None)
    return notification


def notification_create(*, recipient: Membership, kind: str, title: str, url: str = "",
                        case_id: int | None = None) -> Notification:
    """The in-app notification alone (reminders decide about e-mail themselves)."""
    return Notification.objects.create(firm_id=recipient.firm_id, recipient=recipient, kind=kind,
                                       title=str(title)[:300], url=url, case_id=case_id)


def queue_email(*, recipient: Membership, kind: str, title: str, url: str,
                notification_id: int | None) -> None:
    """After commit, hand the e-mail to a worker. ``robust``: a broker that is down loses
    this e-mail (logged) but never turns a saved change into an error page."""
    from calendar_sync.tasks import notification_email_send

    send = partial(notification_email_send.delay, recipient.firm_id, recipient.pk, kind, title, url,
                   notification_id)
    transaction.on_commit(send, robust=True)


def notification_email_send(*, recipient_id: int, kind: str, title: str, url: str,
                            notification_id: int | None = None) -> bool:
    """Send the e-mail of one notification (in a worker, in the firm's scope). False if the
    person has gone or turned e-mail off since."""
    recipient = Membership.objects.select_related("user").filter(pk=recipient_id).first()
    if recipient is None or not (recipient.is_active and recipient.user.is_active):
        return False
    if not preference_for(recipient, kind).by_email:
        return False
    with translation.override(recipient.user.language):
        context = {"recipient": recipient, "title": title, "link": absolute_url(url),
                   "preferences_link": preferences_link()}
        body = render_to_string("notifications/email/notification.txt", context)
    message_id = f"notification.{recipient.firm_id}.{notification_id}" if notification_id else None
    try:
        email_send(to=recipient.user.email, subject=title, body=body, message_key=message_id)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        logger.warning("notification e-mail to member %s refused for good: %s", recipient_id, error)
        return False
    return True


def email_send(*, to: str, subject: str, body: str, message_key: str | None = None) -> None:
    """Send one e-mail through the configured Django backend; errors propagate.

    ``message_key`` makes a stable Message-ID: should the same e-mail ever go twice (a
    worker killed after the mail server took it), mail programs that de-duplicate by
    Message-ID show it once.
    """
    headers = {"Message-ID": f"<{message_key}@{_mail_domain()}>"} if message_key else {}
    connection = get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or EMAIL_TIMEOUT_SECONDS)
    EmailMessage(subject=" ".join(str(subject).split())[:250], body=body.strip() + "\n", to=[to],
                 headers=headers, connection=connection).send()


def absolute_url(path: str) -> str:
    """A link for an e-mail: the site's address (CASEROOM_SITE_URL) and the path; empty
    when either is unknown, so no e-mail ever carries a link to the wrong host."""
    base = getattr(settings, "CASEROOM_SITE_URL", "").rstrip("/")
    if not path or not base:
        return ""
    return f"{base}{path}" if path.startswith("/") else path


def preferences_link() -> str:
    try:
        return absolute_url(reverse("notification-preferences"))
    except NoReverseMatch:  # the page's URL is not wired in (yet)
        return ""


def _mail_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "caseroom.invalid"


def notifications_mark_read(membership, *, notification_id: int | None = None) -> int:
    """Mark one or all of a member's notifications read. Not audited: it changes nothing of
    the firm's work, only what the person has seen."""
    from firms.selectors import notifications_of

    unread = notifications_of(membership).filter(read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
