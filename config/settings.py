"""Caseroom settings: one module, every value read from the environment.

See docs/configuration.md for the variables. Production is chosen with
CASEROOM_ENV=production, which turns on the secure-cookie / HSTS / HTTPS settings
and refuses to start without a real SECRET_KEY.
"""

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    redis_sibling_db,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("CASEROOM_DATA_DIR", str(BASE_DIR / ".data")))

CASEROOM_ENV = env_str("CASEROOM_ENV", "development")
if CASEROOM_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("CASEROOM_ENV must be development or production.")
PRODUCTION = CASEROOM_ENV == "production"
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    try:
        return env_str("SECRET_KEY")
    except ImproperlyConfigured:
        if PRODUCTION:
            raise
    # Development: one random key per data directory, so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "guardian",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "firms",
    "audit",
    "cases",
    "documents",
    "calendar_sync",
    "rooms",
    "esign",
    "integrations",
    "compliance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Opens the request's transaction and sets the firm for row-level security.
    "firms.middleware.TenancyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "firms.context_processors.tenancy",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# "default" connects as the app role (no superuser, no BYPASSRLS, owns nothing),
# so row-level security applies to everything the product does. "owner" owns the
# tables and runs migrations: `manage.py migrate --database=owner` (a plain
# `migrate` fails: the app role may not create tables).
DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", "postgresql://caseroom_app@127.0.0.1:5432/caseroom")
    ),
    "owner": database_from_url(
        env_str("DATABASE_OWNER_URL", "postgresql://caseroom_owner@127.0.0.1:5432/caseroom")
    ),
}
for _alias in DATABASES.values():
    # JIT compiles the first run of a web query for 10-30 ms and wins nothing on queries
    # this small (docs/performance.md).
    _alias["OPTIONS"].setdefault("options", "-c jit=off")
    _alias["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
    _alias["CONN_HEALTH_CHECKS"] = True
# The NOLOGIN BYPASSRLS role that owns the search functions (firms/db_roles.py).
DATABASE_DEFINER_ROLE = env_str("DATABASE_DEFINER_ROLE", "caseroom_search")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery ---------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL", redis_sibling_db(REDIS_URL)),
        "KEY_PREFIX": "caseroom",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "caseroom")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Hong_Kong"
CELERY_BEAT_SCHEDULE: dict = {
    # Text extraction queued after commit can be lost if a process dies in between.
    "documents-requeue-text-extraction": {
        "task": "documents.requeue_text_extraction", "schedule": 15 * 60},
    # CalDAV pushes whose task was lost between commit and publish.
    "caldav-push-sweep": {"task": "calendar_sync.caldav_push_sweep", "schedule": 10 * 60},
    # Reminders: the scan records what is due (a unique key per event, person and offset);
    # the sweep re-queues deliveries whose task was lost. Expiry: a late run is skipped,
    # the next one catches up.
    "reminders-scan": {"task": "calendar_sync.reminders_scan", "schedule": 60.0,
                       "options": {"expires": 55}},
    "reminders-sweep": {"task": "calendar_sync.reminders_sweep", "schedule": 120.0,
                        "options": {"expires": 110}},
}

# --- Auth ---------------------------------------------------------------------
AUTH_USER_MODEL = "firms.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "firms:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "firms:sign-in"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# Lock an account (by e-mail) after repeated failures, for a cool-off period.
AXES_FAILURE_LIMIT = env_int("CASEROOM_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("CASEROOM_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "firms.auth.axes_username"
AXES_IPWARE_PROXY_COUNT = env_int("CASEROOM_PROXY_COUNT", 0)

SILENCED_SYSTEM_CHECKS = [
    # We answer a lock-out ourselves (firms.services.auth_check_credentials) with a
    # clear page or JSON error, instead of axes' middleware response.
    "axes.W002",
    # Lock-out is per account on purpose: a firm's staff share one office IP, and one
    # person's typos must not lock out the whole office.
    "axes.W006",
]

OTP_TOTP_ISSUER = "Caseroom"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "firms.api_auth.TenantTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Caseroom API",
    "DESCRIPTION": "Cases, deadlines, rooms and signatures for Hong Kong law firms.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status", "role" or "kind" of their own: one enum name each.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.Case.Status",
        "TaskStatusEnum": "cases.models.Task.Status",
        "ConflictCheckStatusEnum": "cases.models.ConflictCheck.Status",
        "MemberRoleEnum": "firms.models.Membership.Role",
        "PartyRoleEnum": "cases.models.Party.Role",
        "PartyKindEnum": "cases.models.Party.Kind",
        "NoteKindEnum": "cases.models.Note.Kind",
        "NotificationKindEnum": "firms.models.Notification.Kind",
        "DocumentTextStatusEnum": "documents.models.DocumentVersion.TextStatus",
    },
}

# --- Languages, time ----------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hant", _("Traditional Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Hong_Kong"
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root

# Uploads: checked by content (documents/validation.py). Put a matching limit in the
# reverse proxy too (client_max_body_size): Django checks it after receiving the body.
CASEROOM_MAX_UPLOAD_BYTES = env_int("CASEROOM_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)

# Calendar sync. The site URL goes into pushed events' links back to their case.
CASEROOM_SITE_URL = env_str("CASEROOM_SITE_URL", "http://127.0.0.1:8000")
CALDAV_TIMEOUT_SECONDS = env_int("CALDAV_TIMEOUT_SECONDS", 10)
# Off in production: a member must not make the server call addresses inside our network.
CALDAV_ALLOW_PRIVATE_ADDRESSES = env_bool("CALDAV_ALLOW_PRIVATE_ADDRESSES", not PRODUCTION)
# Fernet key(s) for the CalDAV passwords at rest, comma-separated, the first encrypting
# (calendar_sync/crypto.py). Unset: a key derived from SECRET_KEY (check --deploy says so).
CALDAV_ENCRYPTION_KEY = env_str("CALDAV_ENCRYPTION_KEY", "")

# --- E-mail -------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Caseroom <no-reply@caseroom.example>")

# --- Security -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The load balancer probes /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
