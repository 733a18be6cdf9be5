"""Calendar API routes. In config/urls.py, inside ``api_patterns`` (under /api/):
``path("", include("calendar_sync.api_urls"))``."""

from django.urls import path

from calendar_sync import api

urlpatterns = [
    path("events/", api.EventListView.as_view(), name="event-list"),
    path("events/import/", api.EventImportView.as_view(), name="event-import"),
    path("events/<int:event_id>/", api.EventDetailView.as_view(), name="event-detail"),
]
