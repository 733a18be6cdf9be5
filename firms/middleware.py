from urllib.parse import urlencode

from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.context import Actor, acting_as
from firms.access import activate_request, needs_second_factor
from firms.tenancy import clear_tenant

# Paths a person who still owes a second factor may reach.
_UNSCOPED_PATHS = ("/healthz",)
# Only what it takes to finish (or abandon) signing in: never settings or passwords,
# which would let a stolen password switch two-factor off.
_TWO_FACTOR_OPEN_PREFIXES = (
    "/accounts/sign-in/",
    "/accounts/sign-out/",
    "/accounts/two-factor/",
    "/accounts/password/reset/",
    "/i18n/",
    "/static/",
    "/api/auth/",
)


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def second_factor_first(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Finish two-factor sign-in first."), "code": "otp_required"},
                            status=403)
    return redirect(f"{reverse('firms:two-factor')}?{urlencode({'next': request.get_full_path()})}")


class TenancyMiddleware:
    """One transaction per request, with the firm set in it for row-level security.

    A 5xx response rolls the transaction back, as ATOMIC_REQUESTS would; a refused
    form (4xx) still commits, so that the audit entry of a failed sign-in stays.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in _UNSCOPED_PATHS:
            return self.get_response(request)  # must answer even when the database is down
        actor = Actor(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))
        try:
            with acting_as(actor), transaction.atomic():
                activate_request(request, request.user)
                if needs_second_factor(request) and not request.path.startswith(_TWO_FACTOR_OPEN_PREFIXES):
                    return second_factor_first(request)
                response = self.get_response(request)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                return response
        finally:
            clear_tenant()
