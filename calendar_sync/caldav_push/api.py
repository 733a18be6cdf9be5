"""API for the person's CalDAV calendar: GET its state, PUT to connect (checked against the
server first: a refusal is a 400 that says why, and saves nothing), DELETE to disconnect,
POST …/retry/ to send failed events again."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from calendar_sync.caldav_push import selectors, services
from cases.api.base import FirmMemberView


class ConnectionSerializer(serializers.Serializer):
    connected = serializers.BooleanField()
    calendar_url = serializers.CharField(allow_null=True)
    username = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["ok", "error", "disconnected"], allow_null=True,
                                     help_text="error: the server refuses us; reconnect to resume.")
    last_error = serializers.CharField(allow_blank=True)
    last_success_at = serializers.DateTimeField(allow_null=True)
    events_synced = serializers.IntegerField()
    events_waiting = serializers.IntegerField()
    events_failed = serializers.IntegerField()


class ConnectSerializer(serializers.Serializer):
    calendar_url = serializers.CharField(max_length=499)
    username = serializers.CharField(max_length=200)
    password = serializers.CharField(max_length=500, trim_whitespace=False, write_only=True)


class RetrySerializer(serializers.Serializer):
    queued = serializers.IntegerField()


def _state(membership) -> dict:
    summary = selectors.connection_summary(membership)
    if summary is None:
        return {"connected": False, "calendar_url": None, "username": None, "status": None, "last_error": "",
                "last_success_at": None, "events_synced": 0, "events_waiting": 0, "events_failed": 0}
    connection = summary.connection
    return {"connected": True, "calendar_url": connection.calendar_url, "username": connection.username,
            "status": connection.status, "last_error": connection.last_error or summary.latest_failure,
            "last_success_at": connection.last_success_at, "events_synced": summary.synced,
            "events_waiting": summary.waiting, "events_failed": summary.failed}


class CalDAVConnectionView(FirmMemberView):
    @extend_schema(responses={200: ConnectionSerializer})
    def get(self, request):
        return Response(ConnectionSerializer(_state(self.membership)).data)

    @extend_schema(request=ConnectSerializer, responses={200: ConnectionSerializer})
    def put(self, request):
        body = ConnectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.caldav_connect(membership=self.membership, **body.validated_data)
        return Response(ConnectionSerializer(_state(self.membership)).data)

    @extend_schema(responses={204: None})
    def delete(self, request):
        services.caldav_disconnect(membership=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalDAVRetryView(FirmMemberView):
    @extend_schema(request=None, responses={200: RetrySerializer})
    def post(self, request):
        return Response({"queued": services.caldav_retry_failed(membership=self.membership)})
