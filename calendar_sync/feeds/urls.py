"""URLs of the sync page and the ICS feeds.

In config/urls.py: ``path("calendar/sync/", include("calendar_sync.feeds.urls"))`` for the
pages, and ``*feeds_urls.api_urlpatterns`` in ``api_patterns`` (under /api/).
"""

from django.urls import path, re_path

from calendar_sync.feeds import api, views

app_name = "calendar-feeds"

urlpatterns = [
    path("", views.sync_page, name="sync"),
    path("feed/revoke/", views.feed_revoke, name="revoke"),
    re_path(r"^feed/(?P<secret>[A-Za-z0-9_-]{43})\.ics$", views.feed, name="feed"),
]

api_urlpatterns = [
    path("calendar/feed-url/", api.FeedUrlView.as_view(), name="calendar-feed-url"),
    path("calendar/feed-url/revoke/", api.FeedUrlRevokeView.as_view(), name="calendar-feed-url-revoke"),
]
