"""OpenBeat settings: everything a deployment changes comes from the environment.

Defaults are safe for a single machine: SQLite under var/, DEBUG off, a secret key generated into var/
on first run. See README.md, "Configuration", for every variable.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

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


DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]", "testserver"}
# A production deployment: served over HTTPS, or not in DEBUG and answering to a name other than this machine.
# Stricter defaults follow from it (a secret key from the environment, two-factor sign-in for staff).
PRODUCTION = env_bool("PRODUCTION", env_bool("HTTPS") or (not DEBUG and bool(set(ALLOWED_HOSTS) - _LOCAL_HOSTS)))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else (on a single machine only) one generated once into var/.

    In production the key must come from the environment: a web server and a worker on two hosts would each
    generate their own and sign links the other refuses.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SECRET_KEY is not set. In production (HTTPS on, or DEBUG off with ALLOWED_HOSTS naming another host) "
            "every host must share one key: set SECRET_KEY in the environment of the web servers and workers "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Before openbeat.staff: axes records a failed sign-in before staff's receiver looks at the account.
    "axes",
    "openbeat.core",
    "openbeat.areas",
    "openbeat.staff",
    "openbeat.audit",
    "openbeat.subscriptions",
    "openbeat.alerts",
    "openbeat.delivery",
    "openbeat.reports",
    "openbeat.crime",
    "openbeat.events",
    "openbeat.insights",
    "openbeat.demo",
    "openbeat.scheduler",
    "openbeat.priorities",
    "openbeat.concerns",
    "openbeat.meetings",
    "openbeat.opendata",
    "openbeat.cap",
    "openbeat.youth",
    "openbeat.news",
    "openbeat.campaigns",
    "openbeat.feeds",
    "openbeat.search",
    "openbeat.social",
    "openbeat.surveys",
    "openbeat.schemes",
    "openbeat.volunteers",
    "openbeat.monitoring",
    "health_check",
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
    # First: a body over the limit is refused from its Content-Length, before anything reads it.
    "openbeat.core.middleware.RequestSizeLimitMiddleware",
    # Every request's id (X-Request-ID) on its log lines; its count and duration for /metrics.
    "openbeat.core.logs.RequestIdMiddleware",
    "openbeat.monitoring.metrics.RequestMetricsMiddleware",
    # Then a PACT meeting's live poll from this process's fresh copy: thousands of watchers poll every 5 s.
    "openbeat.meetings.live.LivePollMiddleware",
    # And an open data API call whose answer this process keeps (opendata/middleware.py), after the rate limit.
    "openbeat.opendata.middleware.ApiAnswerMiddleware",
    # Counts public Wagtail pages' views (openbeat/campaigns/pageviews.py): before the page cache, so that pages
    # replayed from it are counted too; no cookie, nothing about the visitor kept, no database write.
    "openbeat.campaigns.pageviews.PageViewMiddleware",
    # Then a stored public page for a visitor with no cookie but the CSRF one skips the rest (core/pagecache.py).
    "openbeat.core.pagecache.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the staff middlewares, which leave a message when they sign someone out.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "openbeat.staff.middleware.StaffIdleTimeoutMiddleware",
    "openbeat.staff.middleware.StaffSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "openbeat.core.middleware.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Public pages for visitors with no cookie but the CSRF one, kept in each process (core/pagecache.py): how many, for
# how long at most, and how often a process looks for a change made elsewhere (the longest an edit can take to show).
PUBLIC_PAGE_CACHE = env_bool("PUBLIC_PAGE_CACHE", True)
PUBLIC_PAGE_CACHE_ENTRIES = int(os.environ.get("PUBLIC_PAGE_CACHE_ENTRIES", "500"))
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "60"))
PUBLIC_PAGE_CACHE_CHECK_SECONDS = float(os.environ.get("PUBLIC_PAGE_CACHE_CHECK_SECONDS", "1"))
# Page views counted by OpenBeat (openbeat/campaigns/pageviews.py): on or off, and how often a process sends the
# views it counted to the shared cache (the scheduler's flush_page_views job then writes them to the database).
PAGE_VIEWS = env_bool("PAGE_VIEWS", True)
PAGE_VIEWS_PUSH_SECONDS = float(os.environ.get("PAGE_VIEWS_PUSH_SECONDS", "10"))
# A live PACT meeting's poll is answered from a process's own copy for this long before it asks the shared cache
# whether a moderator changed anything (openbeat/meetings/live.py).
MEETINGS_LIVE_CHECK_SECONDS = float(os.environ.get("MEETINGS_LIVE_CHECK_SECONDS", "0.5"))
# The youth site (openbeat/youth): the reading level articles are checked against in the editor (a US school grade
# as textstat gives it: 6 suits an 11-year-old; parents' pages may read harder), where safeguarding alerts go while
# administrators have set no list in the back office, and how many questions and answer look-ups an address may
# make an hour.
YOUTH_READING_GRADE = float(os.environ.get("YOUTH_READING_GRADE", "6"))
YOUTH_PARENTS_READING_GRADE = float(os.environ.get("YOUTH_PARENTS_READING_GRADE", "9"))
YOUTH_SAFEGUARDING_EMAILS = env_list("YOUTH_SAFEGUARDING_EMAILS")
YOUTH_ASK_LIMIT = int(os.environ.get("YOUTH_ASK_LIMIT", "10"))
YOUTH_ANSWER_LIMIT = int(os.environ.get("YOUTH_ANSWER_LIMIT", "30"))
# News and appeals (openbeat/news): how long after a missing person or suspect appeal is resolved its name and
# photos are removed from the page, its history, search and caches (0: at once; later ones by the scheduler).
NEWS_APPEAL_REDACT_AFTER_HOURS = float(os.environ.get("NEWS_APPEAL_REDACT_AFTER_HOURS", "0"))
# Social accounts' credentials are encrypted at rest with this Fernet key (openbeat/social/credentials.py); a
# comma-separated list rotates keys (the first encrypts, all decrypt). Empty: a key derived from SECRET_KEY.
SOCIAL_CREDENTIALS_KEY = os.environ.get("SOCIAL_CREDENTIALS_KEY", "")
# Social results (openbeat/social/results.py): the figures of posts made in the last this many days are fetched
# daily; replies and mentions marked done are deleted after this many days (openbeat/social/inbox.py).
SOCIAL_RESULTS_DAYS = int(os.environ.get("SOCIAL_RESULTS_DAYS", "30"))
SOCIAL_INBOX_RETENTION_DAYS = int(os.environ.get("SOCIAL_INBOX_RETENTION_DAYS", "365"))
# How long a worker may hold a social post it is posting (openbeat/social/services.py) before it is taken for dead
# and the post looked up on the network; also how long a queued post waits for a worker before it is queued again.
SOCIAL_POSTING_LEASE_SECONDS = float(os.environ.get("SOCIAL_POSTING_LEASE_SECONDS", "600"))

# Health and monitoring (openbeat/monitoring): /health/ and /metrics answer a monitoring system sending this
# bearer token (or staff with the permission); when the detailed checks call a service unhealthy.
MONITORING_TOKEN = os.environ.get("MONITORING_TOKEN", "")
MONITORING_QUEUE_MAX_AGE_SECONDS = int(os.environ.get("MONITORING_QUEUE_MAX_AGE_SECONDS", "600"))
MONITORING_HEARTBEAT_MAX_AGE_SECONDS = int(os.environ.get("MONITORING_HEARTBEAT_MAX_AGE_SECONDS", "300"))
MONITORING_SCHEDULER_MAX_AGE_SECONDS = int(os.environ.get("MONITORING_SCHEDULER_MAX_AGE_SECONDS", "300"))
MONITORING_DISK_MIN_FREE_MB = int(os.environ.get("MONITORING_DISK_MIN_FREE_MB", "1024"))

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
# Staff sign-in throttling (openbeat/staff/auth.py): django-axes counts failures in the database, shared by every
# process and host, per username *and* client address, so a stranger's guesses lock out only the stranger.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "openbeat.staff.auth.ThrottledModelBackend"]
# This many failures for one username from one address within the window lock that pair for the window.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))
# The account itself is locked (for the window) only after this many failures from at least this many
# addresses; its owner is emailed when that happens.
LOGIN_ACCOUNT_LOCK_FAILURES = int(os.environ.get("LOGIN_ACCOUNT_LOCK_FAILURES", "20"))
LOGIN_ACCOUNT_LOCK_ADDRESSES = int(os.environ.get("LOGIN_ACCOUNT_LOCK_ADDRESSES", "3"))
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_FAILURE_WINDOW_SECONDS)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "openbeat.core.clientaddr.client_address"
AXES_USERNAME_CALLABLE = "openbeat.staff.auth.typed_username"
AXES_LOCKOUT_CALLABLE = "openbeat.staff.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Sign-ins are already in the audit log; axes keeps only the failure counters (no access log, no admin).
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_SENSITIVE_PARAMETERS = ["password", "csrfmiddlewaretoken"]
# The back office asks for a second factor (TOTP) before anything else: compulsory in production unless
# STAFF_REQUIRE_2FA=off says otherwise explicitly.
STAFF_REQUIRE_2FA = env_bool("STAFF_REQUIRE_2FA", PRODUCTION)
# A staff session unused for this long is signed out (the back office only; residents have no sessions to keep).
STAFF_IDLE_TIMEOUT_SECONDS = int(os.environ.get("STAFF_IDLE_TIMEOUT_SECONDS", "1800"))

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
# Backups (openbeat/monitoring/backups.py; `manage.py backup`, nightly by the scheduler; docs/operations.md): the
# folder archives go to, how many days they are kept (the BACKUP_KEEP_MIN newest are kept whatever their age),
# and a Fernet key (or a comma-separated list, the first encrypting) that encrypts them; empty: not encrypted.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
BACKUP_RETENTION_DAYS = int(os.environ.get("BACKUP_RETENTION_DAYS", "14"))
BACKUP_KEEP_MIN = int(os.environ.get("BACKUP_KEEP_MIN", "3"))
BACKUP_ENCRYPTION_KEY = os.environ.get("BACKUP_ENCRYPTION_KEY", "")
# Evidence uploads (Do It Online): per-file limit, and a ClamAV daemon to scan them where one is configured
# (CLAMD_SOCKET, a Unix socket path, or CLAMD_HOST + CLAMD_PORT). Without one, files are kept "not scanned".
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "")
CLAMD_HOST = os.environ.get("CLAMD_HOST", "")
CLAMD_PORT = int(os.environ.get("CLAMD_PORT", "3310"))
# Online reports a person (one IP, one email address) may send per hour.
REPORTS_SUBMIT_LIMIT = int(os.environ.get("REPORTS_SUBMIT_LIMIT", "10"))
# How long a reporter's emailed link to their report's status page works (it works once).
REPORTS_STATUS_LINK_MINUTES = int(os.environ.get("REPORTS_STATUS_LINK_MINUTES", "60"))
# Days after a report is closed that the reporter's name, email and phone are kept (manage.py
# reports_retention, from cron): long enough for a complaint about how it was handled, no longer.
REPORTS_CONTACT_RETENTION_DAYS = int(os.environ.get("REPORTS_CONTACT_RETENTION_DAYS", "365"))
# The largest request body accepted (evidence uploads are the largest); refused with 413 before it is read.
# Set the proxy's limit (nginx client_max_body_size) to the same.
REQUEST_MAX_BYTES = int(os.environ.get("REQUEST_MAX_BYTES", str(EVIDENCE_MAX_BYTES + 1024 * 1024)))
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
# Recovery from a worker killed mid-batch, with no cron (delivery.outbox, "Leases"). A batch holds the rows it
# claimed under a lease of DELIVERY_LEASE_SECONDS that a thread of its worker renews every third of that; the
# scheduler (manage.py run_scheduler) sweeps every DELIVERY_SWEEP_SECONDS, returns the rows of expired leases
# to the outbox and queues their batches again. A kill is therefore recovered within lease + sweep (45 s by
# default) plus the time a worker takes to pick the batch up. A shorter lease recovers sooner but takes a
# batch from a worker that could not reach the database for that long (it then stops, and at most the
# message in flight on each connection repeats); keep the sweep at most half the lease.
DELIVERY_LEASE_SECONDS = float(os.environ.get("DELIVERY_LEASE_SECONDS", "30"))
DELIVERY_SWEEP_SECONDS = float(os.environ.get("DELIVERY_SWEEP_SECONDS", "15"))

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
# How long a resident's emailed sign-in link to their In the Know preferences works (it works once). The links
# in alert messages are long-lived but open no session: see openbeat/subscriptions/tokens.py.
SUBSCRIBER_SIGN_IN_LINK_MINUTES = int(os.environ.get("SUBSCRIBER_SIGN_IN_LINK_MINUTES", "60"))

# Background tasks (django.tasks). db (default): django-tasks-db, worker `manage.py db_worker`.
# rq or celery: on REDIS_URL, for scale-out. immediate: runs inline (tests of task bodies).
REDIS_URL = os.environ.get("REDIS_URL", "")
# The test suite runs on pytest-xdist workers and empties the cache (Redis FLUSHDB) before every test, so each
# worker, and the processes its tests start, keeps to a Redis database of its own: gw0 the URL's, gw1 the one
# below it, and so on.
if REDIS_URL and (_xdist := os.environ.get("PYTEST_XDIST_WORKER", "")).startswith("gw"):
    _redis = urlsplit(REDIS_URL)
    _redis_db = int(_redis.path.strip("/") or 0) - int(_xdist[2:])
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{_redis_db % 16}"))
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

# Rate-limit counters and short locks live here, so every process and host must see the same cache: Redis when
# REDIS_URL is set, else a table in the database (never per-process memory, which would let each gunicorn
# worker count on its own and so multiply every limit).
# Finished background-task results (django-tasks-db) are deleted after this many days by the scheduler.
TASK_RESULTS_RETENTION_DAYS = int(os.environ.get("TASK_RESULTS_RETENTION_DAYS", "14"))
# The scheduler's run log (Settings > Scheduled jobs) is kept this long.
JOB_RUNS_RETENTION_DAYS = int(os.environ.get("JOB_RUNS_RETENTION_DAYS", "30"))
# Surveys (surveys.exporting, surveys.invitations): exports of more responses than this are built in the
# background; their files are deleted this many days after they were made; In the Know's personal survey links
# stop working after this many days.
SURVEYS_EXPORT_BACKGROUND_OVER = int(os.environ.get("SURVEYS_EXPORT_BACKGROUND_OVER", "5000"))
SURVEYS_EXPORT_RETENTION_DAYS = int(os.environ.get("SURVEYS_EXPORT_RETENTION_DAYS", "7"))
SURVEYS_INVITATION_MAX_AGE_DAYS = int(os.environ.get("SURVEYS_INVITATION_MAX_AGE_DAYS", "90"))
# An index with no figures yet whose surveys have at most this many responses is computed during the request that
# asks for it (well under a second); a larger one says it is being calculated until the background refresh is done.
SURVEYS_INDEX_SYNC_LIMIT = int(os.environ.get("SURVEYS_INDEX_SYNC_LIMIT", "20000"))

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL and env_bool("CACHE_ON_REDIS", True)
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "openbeat_cache"}
    )
}

# The client address behind reverse proxies (openbeat/core/clientaddr.py): the proxies' addresses or networks
# (e.g. "127.0.0.1,10.0.0.0/8"); their header is read only on requests that come from one of them.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# "X-Forwarded-For" (nginx's $proxy_add_x_forwarded_for) or "Forwarded" (RFC 7239).
PROXY_CLIENT_HEADER = os.environ.get("PROXY_CLIENT_HEADER", "X-Forwarded-For")

# Urgent warnings as a CAP 1.2 feed (/cap/, openbeat/cap): CAP's `sender` (default: BASE_URL's host name); how
# long cancelled and expired warnings stay in the Atom index (24-48 hours: aggregators read an entry's
# disappearance as a cancellation); and, optionally, the PEM private key and certificate that sign every message.
# Signing fails closed: with either file set, a message that cannot be signed is not published at all.
CAP_SENDER = os.environ.get("CAP_SENDER", "")
CAP_INDEX_RETENTION_HOURS = int(os.environ.get("CAP_INDEX_RETENTION_HOURS", "24"))
CAP_SIGNING_KEY_FILE = os.environ.get("CAP_SIGNING_KEY_FILE", "")
CAP_SIGNING_CERT_FILE = os.environ.get("CAP_SIGNING_CERT_FILE", "")

# The open data API (/api/, openbeat/opendata): data.police.uk's rate limit per client address (15 a second on
# average, bursts of 30), networks never limited (the force's own apps, e.g. "10.0.0.0/8"), and what
# /api/forces/<force> says of the force beyond its row (HTML allowed, as on data.police.uk; a JSON list of
# {"title", "url", "description"} ways to engage besides the website and telephone number).
OPENDATA_RATE_PER_SECOND = float(os.environ.get("OPENDATA_RATE_PER_SECOND", "15"))
OPENDATA_RATE_BURST = int(os.environ.get("OPENDATA_RATE_BURST", "30"))
OPENDATA_RATE_EXEMPT = env_list("OPENDATA_RATE_EXEMPT")
OPENDATA_FORCE_DESCRIPTION = os.environ.get("OPENDATA_FORCE_DESCRIPTION", "")
OPENDATA_ENGAGEMENT_METHODS = json.loads(os.environ.get("OPENDATA_ENGAGEMENT_METHODS", "") or "[]")

# The force this deployment serves. The database row (core.Force) overrides these once edited.
FORCE_NAME = os.environ.get("FORCE_NAME", "Demoshire Police")
FORCE_SHORT_CODE = os.environ.get("FORCE_SHORT_CODE", "DP")
FORCE_PRIMARY_COLOUR = os.environ.get("FORCE_PRIMARY_COLOUR", "#1d3f72")
FORCE_LOGO_URL = os.environ.get("FORCE_LOGO_URL", "")
# A logo among the static files (e.g. "core/img/force-logo.png"), shown when the force's row has none uploaded
# and no logo_url (core.Force.logo_src, the `force_logo_url` template variable).
OPENBEAT_FORCE_LOGO = os.environ.get("OPENBEAT_FORCE_LOGO", "")
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

# The back office (Wagtail 8) under a policy as strict as Wagtail allows, measured screen by screen in a real
# browser (openbeat/staff/tests/test_browser_admin_csp.py):
# - scripts only from this site, no 'unsafe-eval' (Wagtail needs none) and no inline scripts, except on the
#   editing forms below: Wagtail's inline panels, multiple-chooser panels and date/time widgets initialise
#   themselves with an inline <script> that carries no nonce (rendered outside any request context);
# - 'unsafe-inline' styles: Wagtail sets style attributes throughout (collapsing panels, the sidebar, Draftail),
#   which nonces cannot cover;
# - blob: images (Wagtail's image upload previews); framing by itself only (page previews in an iframe);
# - nothing from any other origin, as on the public site.
SECURE_CSP_ADMIN = {
    **SECURE_CSP,
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [*SECURE_CSP["img-src"], "blob:"],
    "frame-ancestors": [CSP.SELF],
}
SECURE_CSP_ADMIN_FORMS = {**SECURE_CSP_ADMIN, "script-src": [CSP.SELF, CSP.UNSAFE_INLINE]}
# Back-office URLs that render Wagtail's editing forms or date filters (and so its inline initialisation
# scripts): every edit/new/add screen, and Wagtail's own user, workflow and report listings (date filters).
CSP_ADMIN_FORM_PATHS = (
    r"^/admin/(?:(?:.+/)?(?:edit|new|add|add_subpage|create|copy|multiple/add)(?:/.*)?"
    r"|users/.*|workflows/.*|reports/(?:site-history|aging-pages|locked|workflow|workflow_tasks|page-types-usage)/.*)$"
)
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
    # OpenBeat is served on its own host name (e.g. openbeat.<force>.police.uk): includeSubDomains covers only
    # the names below that one, all of them ours.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# Browsers' HSTS preload list takes registrable domains (the force's own), not a service's host name: a
# decision for the force's domain, not for OpenBeat (SECURE_HSTS_PRELOAD=true when it applies).
SILENCED_SYSTEM_CHECKS = [] if env_bool("SECURE_HSTS_PRELOAD", False) else ["security.W021"]

LOGIN_URL = "wagtailadmin_login"

WAGTAIL_SITE_NAME = FORCE_NAME
WAGTAILADMIN_BASE_URL = BASE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_I18N_ENABLED = False

# Logs (openbeat/core/logs.py): JSON lines with the request's id by default, plain lines with LOG_FORMAT=text;
# either way scrubbed of anything that looks like an email address, phone number or postcode.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "openbeat.core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "openbeat.core.logs.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {
            "()": "openbeat.core.logs.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "text" if LOG_FORMAT == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # axes logs usernames and addresses at WARNING on every failure: personal data stays out of the logs.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "axes": {"level": "ERROR"},
        # tweepy logs every request's headers (the account's token) and body at DEBUG: never let them through.
        "tweepy": {"level": "INFO"},
    },
}

WAGTAILADMIN_USER_LOGIN_FORM = "openbeat.staff.forms.ThrottledLoginForm"
# No Gravatar: it would send a hash of every staff email address to a third party (and CSP blocks it).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
