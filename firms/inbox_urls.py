"""The notification inbox (pages under /notifications/)."""

from django.urls import path

from firms import inbox_views

app_name = "inbox"
urlpatterns = [
    path("", inbox_views.inbox_page, name="list"),
    path("read-all/", inbox_views.notifications_read_all, name="read-all"),
    path("<int:notification_id>/open/", inbox_views.notification_open, name="open"),
    path("<int:notification_id>/read/", inbox_views.notification_read, name="read"),
]
