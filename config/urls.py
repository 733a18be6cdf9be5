from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from calendar_sync.caldav_push import urls as caldav_urls
from calendar_sync.feeds import urls as feeds_urls
from calendar_sync.reminders import views as reminder_views
from cases import views as cases_views
from config import health, views
from documents import urls as documents_urls
from firms import api as firms_api

api_patterns = [
    path("auth/token/", firms_api.TokenView.as_view(), name="auth-token"),
    path("me/", firms_api.MeView.as_view(), name="me"),
    path("", include("cases.api_urls")),
    path("", include("calendar_sync.api_deadlines")),
    path("", include("calendar_sync.api_urls")),
    *documents_urls.api_urlpatterns,
    *feeds_urls.api_urlpatterns,
    *caldav_urls.api_urlpatterns,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("firms.urls")),
    path("cases/", include("cases.urls")),
    path("my-work/", cases_views.my_work_page, name="my-work"),
    path("notifications/preferences/", reminder_views.notification_preferences_page,
         name="notification-preferences"),
    path("notifications/", include("firms.inbox_urls")),
    path("documents/", include("documents.urls")),
    path("calendar/sync/caldav/", include("calendar_sync.caldav_push.urls")),
    path("calendar/sync/", include("calendar_sync.feeds.urls")),
    path("calendar/", include("calendar_sync.urls")),
    path("audit/", include("audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include((api_patterns, "api"))),
    path("favicon.ico", RedirectView.as_view(url="/static/favicon.svg")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
