"""OpenBeat settings: everything a deployment changes comes from the environment.

Defaults are safe for a single machine: SQLite under var/, DEBUG off, a secret key generated into var/
on first run. See README.md, "Configuration", for every variable.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OPENBEAT_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into var/ (never committed)."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "openbeat.core",
    "openbeat.areas",
    "openbeat.staff",
    "openbeat.audit",
    "openbeat.subscriptions",
    "openbeat.alerts",
    "openbeat.delivery",
    "openbeat.reports",
    "openbeat.insights",
    "openbeat.demo",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "openbeat.staff.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "openbeat.core.middleware.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "openbeat.urls"
WSGI_APPLICATION = "openbeat.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "wagtail.contrib.settings.context_processors.settings",
                "openbeat.core.context_processors.branding",
            ],
        },
    },
]

# SQLite under var/ by default; DATABASE_URL selects PostgreSQL in production and in CI's second run.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'openbeat.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the task worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # Wagtail's search backend needs it on PostgreSQL (system check postgres.E005).
    INSTALLED_APPS.append("django.contrib.postgres")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["openbeat.staff.auth.ThrottledModelBackend"]
# Login throttling: this many failures for one username (or from one address) within the window locks out.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))
# Roles listed here must set up a second factor (TOTP) before using the back office.
STAFF_REQUIRE_2FA = env_bool("STAFF_REQUIRE_2FA")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Files that must never be served by the web server (evidence uploads) live here.
PRIVATE_STORAGE_ROOT = Path(os.environ.get("PRIVATE_STORAGE_ROOT", VAR_DIR / "private"))
# Evidence uploads (Do It Online): per-file limit, and a ClamAV daemon to scan them where one is configured
# (CLAMD_SOCKET, a Unix socket path, or CLAMD_HOST + CLAMD_PORT). Without one, files are kept "not scanned".
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "")
CLAMD_HOST = os.environ.get("CLAMD_HOST", "")
CLAMD_PORT = int(os.environ.get("CLAMD_PORT", "3310"))
# Online reports a person (one IP, one email address) may send per hour.
REPORTS_SUBMIT_LIMIT = int(os.environ.get("REPORTS_SUBMIT_LIMIT", "10"))
# Days after a report is closed that the reporter's name, email and phone are kept (manage.py
# reports_retention, from cron): long enough for a complaint about how it was handled, no longer.
REPORTS_CONTACT_RETENTION_DAYS = int(os.environ.get("REPORTS_CONTACT_RETENTION_DAYS", "365"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
WHITENOISE_AUTOREFRESH = DEBUG

# Mail: Django 6.1 MAILERS. SMTP by default (host/port from the environment); MAIL_BACKEND=console or
# file for development (the demo writes messages under var/mail/ so nothing leaves the machine).
_mail_kind = os.environ.get("MAIL_BACKEND", "smtp")
_default_mailer: dict[str, Any]
if _mail_kind == "console":
    _default_mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
elif _mail_kind == "file":
    _default_mailer = {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
    }
else:
    _default_mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ.get("SMTP_HOST", "127.0.0.1"),
            "port": int(os.environ.get("SMTP_PORT", "25")),
            "username": os.environ.get("SMTP_USERNAME", ""),
            "password": os.environ.get("SMTP_PASSWORD", ""),
            "use_tls": env_bool("SMTP_USE_TLS"),
            "timeout": 30,
        },
    }
MAILERS = {"default": _default_mailer}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "OpenBeat <no-reply@openbeat.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The public address, for links in emails and SMS.
BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000")

# SMS (verification codes now; alerts in the delivery app): file (development, var/sms/), console, locmem
# (tests) or notify (GOV.UK Notify; a template whose whole content is ((body))). See core/sms.py.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "file")
NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "")
NOTIFY_SMS_TEMPLATE_ID = os.environ.get("NOTIFY_SMS_TEMPLATE_ID", "")
NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL", "")

# Delivery of alerts. Notify calls back /d/callbacks/notify/ with this bearer token (set the same in Notify);
# an email provider through django-anymail reports bounces to /d/callbacks/anymail/mailgun/tracking/.
NOTIFY_CALLBACK_TOKEN = os.environ.get("NOTIFY_CALLBACK_TOKEN", "")
ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": os.environ.get("MAILGUN_WEBHOOK_SIGNING_KEY", "")}
# SMTP sessions kept busy at once by each worker (one thread drives them all, so a session costs little). Each
# message takes four round trips (two where the server offers PIPELINING), so over a real network throughput
# grows with sessions. Lower it for a relay that caps concurrent sessions (Exchange Online's SMTP AUTH allows
# 3; sessions over a cap are set aside for the batch). A killed worker can repeat at most one message per
# session (delivery.outbox).
DELIVERY_SMTP_CONNECTIONS = int(os.environ.get("DELIVERY_SMTP_CONNECTIONS", "8"))
DELIVERY_REPLY_TO = os.environ.get("DELIVERY_REPLY_TO", "")

# Languages residents may choose for In the Know messages (officers may add a translation in each).
SUBSCRIBER_LANGUAGES = [
    ("en", "English"),
    ("cy", "Cymraeg (Welsh)"),
    ("ur", "اردو (Urdu)"),
    ("pa", "ਪੰਜਾਬੀ (Punjabi)"),
    ("gu", "ગુજરાતી (Gujarati)"),
    ("pl", "Polski (Polish)"),
    ("ro", "Română (Romanian)"),
    ("ar", "العربية (Arabic)"),
]

# Background tasks (django.tasks). db (default): django-tasks-db, worker `manage.py db_worker`.
# rq or celery: on REDIS_URL, for scale-out. immediate: runs inline (tests of task bodies).
REDIS_URL = os.environ.get("REDIS_URL", "")
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "db")
_TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "celery": "django_tasks_celery.CeleryBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
TASKS: dict[str, dict[str, Any]] = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}
if TASKS_BACKEND == "celery":
    TASKS["default"]["OPTIONS"] = {"CELERY_APP": "openbeat.celery.app"}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}
elif TASKS_BACKEND == "celery":
    CELERY_BROKER_URL = REDIS_URL or "redis://127.0.0.1:6379/0"
    CELERY_RESULT_BACKEND = CELERY_BROKER_URL
    CELERY_RESULT_EXTENDED = True

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL and env_bool("CACHE_ON_REDIS", True)
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# The force this deployment serves. The database row (areas.Force) overrides these once edited.
FORCE_NAME = os.environ.get("FORCE_NAME", "Demoshire Police")
FORCE_SHORT_CODE = os.environ.get("FORCE_SHORT_CODE", "DP")
FORCE_PRIMARY_COLOUR = os.environ.get("FORCE_PRIMARY_COLOUR", "#1d3f72")
FORCE_LOGO_URL = os.environ.get("FORCE_LOGO_URL", "")
# Map tiles: any {z}/{x}/{y} tile server. Boundaries are drawn even when tiles cannot load.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.environ.get(
    "MAP_TILE_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


_tile_origin = _origin(MAP_TILE_URL)
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [
        CSP.SELF,
        "data:",
        *([_tile_origin.replace("://", "://*.")] if "{s}" in MAP_TILE_URL else []),
        *([_tile_origin] if _tile_origin else []),
    ],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Wagtail's admin still relies on inline scripts and styles; it gets a looser policy of its own (still no
# third-party origins). Public pages keep the strict nonce policy above.
SECURE_CSP_ADMIN = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE, CSP.UNSAFE_EVAL],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [*SECURE_CSP["img-src"], "blob:"],
    "frame-ancestors": [CSP.SELF],
}
CSP_ADMIN_PATH_PREFIXES = ("/admin/", "/django-admin/", "/documents/")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and env_bool("HTTPS", False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env_bool("HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))

LOGIN_URL = "wagtailadmin_login"

WAGTAIL_SITE_NAME = FORCE_NAME
WAGTAILADMIN_BASE_URL = BASE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_I18N_ENABLED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "wagtail": {"level": "WARNING"}},
}

WAGTAILADMIN_USER_LOGIN_FORM = "openbeat.staff.forms.ThrottledLoginForm"
# No Gravatar: it would send a hash of every staff email address to a third party (and CSP blocks it).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
