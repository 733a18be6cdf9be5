"""Reads about firms and people."""

from __future__ import annotations

import re

from firms.models import Membership, Notification, User
from firms.tenancy import current_tenant, tenant_scope


def first_membership_of(user: User, firm_id: int | None = None) -> Membership | None:
    """The person's active membership (in ``firm_id`` if given), with its firm.

    Part of establishing tenancy, so it widens the scope to the person's own
    memberships (the ``own_memberships`` policy) for this one query.
    """
    tenant = current_tenant()
    with tenant_scope(firm_id or tenant.firm_id, user_id=user.pk, platform=tenant.platform):
        memberships = Membership.objects.filter(user_id=user.pk, is_active=True).select_related("firm")
        if firm_id:
            memberships = memberships.filter(firm_id=firm_id)
        return memberships.order_by("pk").first()


def members_of_firm(*, firm_id: int):
    return (
        Membership.objects.filter(firm_id=firm_id)
        .select_related("user", "office")
        .order_by("user__name_en", "user__email")
    )


def people_names(user_ids: set[int]) -> dict[int, str]:
    """Display names for a set of people, in one query (for lists that show who did what)."""
    people = User.objects.filter(pk__in=user_ids).only("pk", "email", "name_en", "name_zh")
    return {person.pk: person.display_name for person in people}


# --- Notifications ---------------------------------------------------------------------

# Older notification links point at sections of the case page; the case's tabs are pages now.
_CASE_SECTION = re.compile(r"^/cases/(\d+)/#(tasks|conflicts|note-\d+)$")


def notifications_of(membership):
    if membership is None:
        return Notification.objects.none()
    return Notification.objects.filter(firm_id=membership.firm_id, recipient=membership)


def unread_notifications(membership, *, limit: int) -> tuple[list[Notification], int]:
    unread = notifications_of(membership).filter(read_at__isnull=True)
    return list(unread.order_by("-created_at", "-pk")[:limit]), unread.count()


def target_url(notification: Notification) -> str:
    url = notification.url or ""
    match = _CASE_SECTION.match(url)
    if match:
        case_id, section = match.groups()
        if section.startswith("note-"):
            return f"/cases/{case_id}/notes/#{section}"
        return f"/cases/{case_id}/{section}/"
    return url
