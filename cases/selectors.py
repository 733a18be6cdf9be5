"""Which cases a person may see: the one rule that pages, API and search share."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cases.models import Case
from config.errors import NotFound
from firms.models import Membership


def cases_visible_to(membership: Membership | None) -> QuerySet[Case]:
    """Partners, admins and compliance see the firm's cases; others, their case teams'."""
    if membership is None:
        return Case.objects.none()
    cases = Case.objects.filter(firm_id=membership.firm_id)
    if not membership.sees_whole_firm:
        cases = cases.filter(team__membership=membership)
    return cases

def case_for_member(membership: Membership | None, case_id) -> Case:
    """One case, or NotFound alike for missing, another firm's, and not on your team."""
    try:
        return cases_visible_to(membership).select_related("responsible_partner__user").get(pk=int(case_id))
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None

def case_list(membership: Membership | None, *, search: str = "", status: str = "") -> QuerySet[Case]:
    cases = cases_visible_to(membership).select_related("responsible_partner__user")
    if status:
        cases = cases.filter(status=status)
    if search:
        cases = cases.filter(
            Q(title_en__icontains=search) | Q(title_zh__icontains=search)
            | Q(reference__icontains=search) | Q(case_number__icontains=search)
        )
    return cases.order_by("-opened_on", "-pk")
