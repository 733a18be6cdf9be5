"""The one error family that services raise and that pages and the API turn into messages."""

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message, *, fields: dict | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class ValidationFailed(ApplicationError):
    status = 400
    code = "invalid"


class NotFound(ApplicationError):
    """Missing and not-yours look the same, so existence never leaks across firms."""

    status = 404
    code = "not_found"

    def __init__(self, message=None, **kwargs):
        super().__init__(message or _("Not found."), **kwargs)


class Forbidden(ApplicationError):
    status = 403
    code = "forbidden"


class AuthenticationFailed(ApplicationError):
    status = 401
    code = "authentication_failed"


class AccountLocked(ApplicationError):
    status = 429
    code = "account_locked"

    def __init__(self, message, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
