"""What a reminder says: its title (in the app and as the e-mail subject) and its e-mail,
in the recipient's language, with times in Hong Kong."""

from __future__ import annotations

import smtplib
from datetime import datetime

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from calendar_sync.models import Event, ReminderDelivery
from calendar_sync.reminders import rules
from firms import notifications

# The mail server refused this address or this message for good: trying again will not help.
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)
# The mail server could not be reached or answered "try later".
TEMPORARY_ERRORS = (smtplib.SMTPException, OSError)


def reminder_kind(delivery: ReminderDelivery) -> str:
    if delivery.offset_minutes == rules.ESCALATION_OFFSET:
        return notifications.DEADLINE_MISSED
    return notifications.REMINDER


def event_path(event: Event) -> str:
    """Where the event is seen: its calendar page once there is one, else its case."""
    try:
        return reverse("calendar:event", args=[event.pk])
    except NoReverseMatch:
        return f"/cases/{event.case_id}/" if event.case_id else ""


def when_text(event: Event) -> str:
    """"Fri 27 Feb 2026 09:30" / "2026年2月27日（星期五）09:30", Hong Kong time; no time when all day."""
    local = timezone.localtime(event.start, rules.HONG_KONG)
    if translation.get_language() == "zh-hant":
        text = dateformat.format(local, "Y年n月j日（l）")
    else:
        text = dateformat.format(local, "D j M Y")
    return text if event.all_day else f"{text} {dateformat.format(local, 'H:i')}"


def relative_day(event: Event, now: datetime) -> str:
    days = (timezone.localtime(event.start, rules.HONG_KONG).date()
            - timezone.localtime(now, rules.HONG_KONG).date()).days
    if days <= 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    return ngettext("in %(count)d day", "in %(count)d days", days) % {"count": days}


def reminder_title(delivery: ReminderDelivery, now: datetime) -> str:
    """The one line that shows in the inbox and as the e-mail's subject (call it inside
    the recipient's language)."""
    event = delivery.event
    case_ref = event.case.reference if event.case_id else ""
    if delivery.offset_minutes == rules.ESCALATION_OFFSET:
        return _("Missed deadline: %(title)s%(case)s was due %(when)s and is not marked done") % {
            "title": event.title, "case": f" ({case_ref})" if case_ref else "", "when": when_text(event)}
    return _("%(kind)s %(relative)s, %(when)s: %(title)s%(case)s") % {
        "kind": event.get_kind_display(), "relative": relative_day(event, now), "when": when_text(event),
        "title": event.title, "case": f" ({case_ref})" if case_ref else ""}


def reminder_email_send(delivery: ReminderDelivery) -> None:
    """Send the reminder's e-mail now; the mail server's errors propagate."""
    recipient = delivery.recipient
    with translation.override(recipient.user.language):
        subject = reminder_title(delivery, timezone.now())
        body = render_to_string("notifications/email/reminder.txt", {
            "delivery": delivery, "event": delivery.event, "case": delivery.event.case,
            "recipient": recipient, "when": when_text(delivery.event),
            "escalation": delivery.offset_minutes == rules.ESCALATION_OFFSET,
            "link": notifications.absolute_url(event_path(delivery.event)),
            "preferences_link": notifications.preferences_link(),
        })
    notifications.email_send(to=recipient.user.email, subject=subject, body=body,
                             message_key=f"reminder.{delivery.firm_id}.{delivery.pk}.{delivery.due_at:%Y%m%d%H%M}")
