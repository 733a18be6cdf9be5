"""API plumbing shared by every app: pagination and errors as clear JSON."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import AccountLocked, ApplicationError, Forbidden


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-pk"


def exception_handler(exc, context):
    """Every API error as ``{"detail": message, "code": code, "fields": {...}}``.

    Unlike DRF's default this never marks the transaction for rollback: services
    are atomic themselves, and a refused sign-in must keep its audit entry.
    """
    if isinstance(exc, ApplicationError):
        return _application_error_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler_without_rollback(exc, context)
    if response is None:
        return None
    response.data = _error_body(exc, response.data)
    return response


def drf_exception_handler_without_rollback(exc, context):
    if not isinstance(exc, exceptions.APIException):
        return drf_exception_handler(exc, context)
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    return Response(exc.detail, status=exc.status_code, headers=headers)


def _error_body(exc, data) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        return {"detail": _("Some fields are not right; see fields."), "code": "invalid", "fields": fields}
    if isinstance(exc, exceptions.ParseError):
        return {"detail": _("The request body is not valid JSON: %(error)s") % {"error": str(exc.detail)},
                "code": "parse_error"}
    detail = data.get("detail", data) if isinstance(data, dict) else data
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    return {"detail": str(detail), "code": code}


def _plain(messages):
    """Field errors as JSON: lazy strings made text, nesting kept (``{"parties": [{}, {"name_en":
    [...]}]}`` says which party of a list is wrong, as DRF's own nested errors do)."""
    if isinstance(messages, dict):
        return {str(name): _plain(value) for name, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [_plain(message) for message in messages]
    return str(messages)


def _application_error_response(exc: ApplicationError) -> Response:
    body = {"detail": str(exc.message), "code": exc.code}
    if exc.fields:
        body["fields"] = _plain(exc.fields)
    headers = {}
    if isinstance(exc, AccountLocked):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status == status.HTTP_401_UNAUTHORIZED:
        headers["WWW-Authenticate"] = "Token"
    return Response(body, status=exc.status, headers=headers)


class FirmMemberView(APIView):
    """Any view for a firm's members: ``self.membership`` is the asker's, or 403 for outsiders."""

    membership: object  # firms.models.Membership
    scopes_requests = True  # only scoping base classes (this, cases.api.base) define initial()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "initial" in vars(cls) and not vars(cls).get("scopes_requests"):
            raise TypeError(f"{cls.__name__} must not override initial(): firm and case scoping happen there.")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        from firms.access import membership_of

        membership = membership_of(request)
        if membership is None:
            raise Forbidden(_("Only members of a firm can use this."), code="not_a_member")
        self.membership = membership
