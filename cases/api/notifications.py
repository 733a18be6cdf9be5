"""The signed-in member's notifications (/api/notifications/).

Reads and marks through the same helpers as the inbox pages (``firms.selectors``, ``firms.notifications``), so
both answer alike; those belong in ``firms/selectors.py`` / ``firms/services.py`` in time.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response

from cases.api.base import FirmMemberView, is_schema_generation, one_of
from cases.api.inputs import NotificationQuery, parsed
from cases.api.serializers import NotificationSerializer
from firms.models import Notification
from firms.notifications import notifications_mark_read
from firms.selectors import notifications_of


class NotificationListView(FirmMemberView, generics.ListAPIView):
    """My notifications, newest first."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        if is_schema_generation(self):
            return Notification.objects.none()
        notifications = notifications_of(self.membership)
        if parsed(NotificationQuery, self.request.query_params).get("unread"):
            notifications = notifications.filter(read_at__isnull=True)
        return notifications

    @extend_schema(parameters=[NotificationQuery])
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class NotificationReadView(FirmMemberView):
    @extend_schema(request=None, responses=NotificationSerializer,
                   description="Marks it read; the first time it was read is kept.")
    def post(self, request, notification_id):
        notification = one_of(notifications_of(self.membership), pk=notification_id)
        notifications_mark_read(self.membership, notification_id=notification.pk)
        notification.refresh_from_db(fields=["read_at"])
        return Response(NotificationSerializer(notification).data)


class NotificationsReadAllView(FirmMemberView):
    @extend_schema(request=None, responses=inline_serializer("NotificationsMarkedRead", {
        "marked_read": serializers.IntegerField()}))
    def post(self, request):
        return Response({"marked_read": notifications_mark_read(self.membership)})
