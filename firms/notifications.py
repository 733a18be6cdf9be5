"""Telling a member about something, in the app (e-mail and reminders come with #4)."""

from firms.models import Membership, Notification


def notify(*, recipient: Membership, kind: str, title: str, url: str = "",
           case_id: int | None = None) -> Notification:
    return Notification.objects.create(firm_id=recipient.firm_id, recipient=recipient, kind=kind,
                                       title=str(title)[:300], url=url, case_id=case_id)
