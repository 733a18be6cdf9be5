from rest_framework.authentication import TokenAuthentication

from firms.access import activate_request


class TenantTokenAuthentication(TokenAuthentication):
    """Token auth that binds the request to the person's firm as soon as it is known."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            activate_request(request._request, result[0])
        return result

