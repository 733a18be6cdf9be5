"""The calendar's pages. In config/urls.py: ``path("calendar/", include("calendar_sync.urls"))``
(after ``calendar/sync/``, the feeds' pages)."""

from django.urls import path

from calendar_sync import views

app_name = "calendar"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("events/new/", views.event_new_page, name="event-new"),
    path("events/check/", views.event_check, name="event-check"),
    path("events/<int:event_id>/", views.event_detail_page, name="event"),
    path("events/<int:event_id>/edit/", views.event_edit_page, name="event-edit"),
    path("events/<int:event_id>/cancel/", views.event_cancel_view, name="event-cancel"),
    path("import/", views.import_page, name="import"),
]
