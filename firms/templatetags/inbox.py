"""The unread-notification count for the navigation bar: one COUNT query per page."""

from django import template
from django.db import DatabaseError, transaction

from firms.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    membership = context.get("current_membership")
    if membership is None:
        return 0
    try:
        with transaction.atomic():  # a savepoint: an error page with the database gone still renders
            return Notification.objects.filter(firm_id=membership.firm_id, recipient=membership,
                                               read_at__isnull=True).count()
    except DatabaseError:
        return 0


@register.filter
def kind_label(notification) -> str:
    """The kind in words, including kinds other parts of the product add (reminders …)."""
    labels = dict(Notification.Kind.choices)
    try:
        from firms.notifications import notification_kinds
    except ImportError:
        pass
    else:
        labels.update(notification_kinds())
    return str(labels.get(notification.kind, notification.get_kind_display()))
