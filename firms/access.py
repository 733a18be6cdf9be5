"""Binding a request to its person and firm, once it is known who is asking.

Pages learn the person from the session (in TenancyMiddleware); the API learns it
in authentication (firms.api_auth). Both call ``activate_request`` so the same
rules apply: an active membership chooses the firm, RLS is set for the
transaction, and the audit actor becomes that person.
"""

from __future__ import annotations

from audit.context import bind_user
from firms.models import Membership
from firms.tenancy import Tenant, set_tenant

SESSION_FIRM_KEY = "caseroom_firm_id"


def activate_request(request, user) -> Membership | None:
    membership = None
    if user is not None and user.is_authenticated:
        session = getattr(request, "session", None)
        wanted = session.get(SESSION_FIRM_KEY) if session is not None else None
        # Two round trips on the common path: set the person (and the firm they last
        # worked in), then read their memberships (policy own_memberships) with the firm.
        set_tenant(Tenant(firm_id=wanted, user_id=user.pk))
        memberships = list(Membership.objects.filter(user_id=user.pk, is_active=True)
                           .select_related("firm").order_by("pk"))
        membership = next((m for m in memberships if m.firm_id == wanted), None) or (
            memberships[0] if memberships else None)
        firm_id = membership.firm_id if membership else None
        if firm_id != wanted:
            set_tenant(Tenant(firm_id=firm_id, user_id=user.pk))
        bind_user(user.pk)
    else:
        set_tenant(Tenant())
    request.membership = membership
    request.firm = membership.firm if membership else None
    return membership


def needs_second_factor(request) -> bool:
    """A member of a firm that requires two-factor who has not passed it this session."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.firm.require_two_factor:
        return False
    is_verified = getattr(request.user, "is_verified", None)
    return not (is_verified and is_verified())


def membership_of(request):
    """The membership bound to a request (a DRF request or a Django one), or None."""
    django_request = getattr(request, "_request", request)
    return getattr(django_request, "membership", None)
