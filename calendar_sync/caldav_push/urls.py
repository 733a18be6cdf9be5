"""URLs of the CalDAV pages and API.

In config/urls.py: ``path("calendar/sync/caldav/", include("calendar_sync.caldav_push.urls"))``
for the pages, and ``*caldav_urls.api_urlpatterns`` in ``api_patterns`` (under /api/).
"""

from django.urls import path

from calendar_sync.caldav_push import api, views

app_name = "caldav"

urlpatterns = [
    path("", views.connect_page, name="connect"),
    path("disconnect/", views.disconnect, name="disconnect"),
    path("retry/", views.retry, name="retry"),
]

api_urlpatterns = [
    path("calendar/caldav/", api.CalDAVConnectionView.as_view(), name="calendar-caldav"),
    path("calendar/caldav/retry/", api.CalDAVRetryView.as_view(), name="calendar-caldav-retry"),
]
