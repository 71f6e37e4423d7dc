"""coachapp settings: the one settings source.

Every knob is read from the environment (django-environ) with a documented default; see
docs/configuration.md. Development defaults apply only while ``DJANGO_DEBUG`` is true: a production
process refuses to start without ``SECRET_KEY`` and ``FIELD_ENCRYPTION_KEY``.
"""

import base64
import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

_DEV_SECRET_KEY = "dev-only-insecure-key-9f2c1e7a-do-not-use-in-production-0b8d4e6f1a3c5e7"
SECRET_KEY = env("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is required when DJANGO_DEBUG is false.")


def _dev_fernet_key() -> str:
    # Derived from the dev secret so that a demo database stays readable between runs.
    return base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()


# One or more Fernet keys, comma-separated; the first encrypts, all decrypt (key rotation).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEY", default=[_dev_fernet_key()] if DEBUG else [])
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEY is required when DJANGO_DEBUG is false. Make one with: "
        "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # The Django admin is for installation operators (superusers) only; org admins work in the portal.
    "coachapp.apps.OperatorsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "crm",
    "coaching",
    "coaching.api",
    "coaching.digests",
    "coaching.portal",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "coachapp.middleware.NoStoreMiddleware",
    # Last: turns a locked-out sign-in (portal or admin) into the lockout page (docs/security.md).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coachapp.urls"
WSGI_APPLICATION = "coachapp.wsgi.application"

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
            ],
        },
    },
]

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'coachapp.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo's web server read while a sync writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["timeout"] = 30
# Opening a PostgreSQL connection costs more than a whole API request (bench api: ping 12.9 ms with a new
# connection per request, 3.7 ms reusing one), so each web thread and worker keeps its own, checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Signing in (docs/security.md): django-axes counts failed sign-ins on every login form (the portal's and the
# admin's) per (username, client address), the address read behind TRUSTED_PROXIES only.
AUTHENTICATION_BACKENDS = ["coachapp.auth_backends.SignInLimitBackend", "django.contrib.auth.backends.ModelBackend"]
# Comma-separated addresses or networks of the installation's own reverse proxies (e.g. 172.16.0.0/12 for
# the compose network); X-Forwarded-For is read only from these (coachapp/client_address.py).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "coachapp.client_address.axes_client_address"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("SIGNIN_MAX_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGNIN_LOCKOUT_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_CALLABLE = "coachapp.client_address.signin_username"
AXES_VERBOSE = False

# --- Manager portal: Django's session auth, signing in at /accounts/signin/ (coaching/portal/signin.py).
LOGIN_URL = "portal:signin"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:signin"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- Cache: Redis when configured (shared by workers and web), local memory otherwise.
REDIS_URL = env("REDIS_URL", default="")
# Every key coachapp writes to Redis (cache and broker) starts with this, so that one Redis can serve several
# installations, or a test run beside a live one, and each can clear its own keys without touching the others'.
REDIS_KEY_PREFIX = env("REDIS_KEY_PREFIX", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# How long the agenda page reuses its pipeline inspection within one build of the week (coaching/pipeline/agenda.py).
PIPELINE_CACHE_SECONDS = env.int("PIPELINE_CACHE_SECONDS", default=600)

# How long the calibration page's weekly leading-metric sums are reused (coaching/calibration/leading.py).

# --- Celery: with no broker, tasks run eagerly in-process (the demo); with one, real workers.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=6 * 3600)
# A message a worker took but never acknowledged (the worker was killed) goes back to the queue after the
# visibility timeout. It stays long: a shorter one would run every task longer than it twice at once and
# multiply ETA tasks (the debounced agenda rebuilds). The sync does not wait for it: beat's
# reap_stalled_syncs re-queues a step whose heartbeat stopped (docs/sync.md, "What can go wrong"), and the
# sync checks these timings against its own at start-up (integrations.sync.timing).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=7 * 3600),
    **({"global_keyprefix": REDIS_KEY_PREFIX} if REDIS_KEY_PREFIX else {}),
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
SYNC_INTERVAL_MINUTES = env.int("SYNC_INTERVAL_MINUTES", default=15)
CELERY_BEAT_SCHEDULE = {
    "incremental-sync": {
        "task": "integrations.tasks.sync_all_orgs",
        "schedule": SYNC_INTERVAL_MINUTES * 60,
    },
    "reap-stalled-syncs": {
        "task": "integrations.tasks.reap_stalled_syncs",
        "schedule": env.int("SYNC_REAP_SECONDS", default=30),
    },
    "nightly-reconcile": {
        "task": "integrations.tasks.reconcile_all_orgs",
        "schedule": crontab(hour=env.int("RECONCILE_HOUR_UTC", default=2), minute=30),
    },
    "weekly-agendas": {
        "task": "coaching.tasks.build_all_agendas",
        "schedule": crontab(day_of_week="mon", hour=5, minute=0),
    },
    "weekly-digests": {
        "task": "coaching.digests.tasks.send_due_digests",
        "schedule": crontab(minute="*/15"),
    },
}

# --- Salesforce sync
SALESFORCE_API_VERSION = env("SALESFORCE_API_VERSION", default="59.0")
SALESFORCE_TIMEOUT_SECONDS = env.float("SALESFORCE_TIMEOUT_SECONDS", default=60.0)
SALESFORCE_CONNECT_TIMEOUT_SECONDS = env.float("SALESFORCE_CONNECT_TIMEOUT_SECONDS", default=10.0)
SALESFORCE_MAX_RETRIES = env.int("SALESFORCE_MAX_RETRIES", default=5)
SALESFORCE_BACKOFF_BASE_SECONDS = env.float("SALESFORCE_BACKOFF_BASE_SECONDS", default=1.0)
SALESFORCE_BACKOFF_MAX_SECONDS = env.float("SALESFORCE_BACKOFF_MAX_SECONDS", default=60.0)
SALESFORCE_API_RESERVE_PERCENT = env.int("SALESFORCE_API_RESERVE_PERCENT", default=10)
SALESFORCE_LOOKBACK_SECONDS = env.int("SALESFORCE_LOOKBACK_SECONDS", default=300)
# How the sync fetches each object: "auto" picks Bulk API 2.0 when at least SALESFORCE_BULK_MIN_RECORDS rows are
# to be fetched (an initial load, a full reconcile, a large backlog) and REST otherwise; "rest" or "bulk" forces one.
SALESFORCE_SYNC_STRATEGY = env("SALESFORCE_SYNC_STRATEGY", default="auto")
SALESFORCE_BULK_MIN_RECORDS = env.int("SALESFORCE_BULK_MIN_RECORDS", default=10000)
SALESFORCE_BULK_MAX_RECORDS = env.int("SALESFORCE_BULK_MAX_RECORDS", default=50000)  # rows per results download
SALESFORCE_BULK_POLL_SECONDS = env.float("SALESFORCE_BULK_POLL_SECONDS", default=1.0)  # first wait; grows to 5 s
SALESFORCE_BULK_TIMEOUT_SECONDS = env.float("SALESFORCE_BULK_TIMEOUT_SECONDS", default=3600.0)
SALESFORCE_BULK_JOB_ATTEMPTS = env.int("SALESFORCE_BULK_JOB_ATTEMPTS", default=3)
# A window Salesforce answers QUERY_TIMEOUT for is halved and retried, down to this many seconds.
SYNC_WINDOW_FLOOR_SECONDS = env.int("SYNC_WINDOW_FLOOR_SECONDS", default=600)
# Parallel windows: an object with at least SYNC_PARALLEL_MIN_RECORDS rows to fetch is cut into ranges of its
# SystemModstamp, fetched by up to SYNC_PARALLEL_WINDOWS concurrent requests (per org: one run per org, one
# object at a time); 1 turns it off. Salesforce allows 25 concurrent long-running (> 20 s) requests per org.
SYNC_PARALLEL_WINDOWS = env.int("SYNC_PARALLEL_WINDOWS", default=4)
SYNC_PARALLEL_MIN_RECORDS = env.int("SYNC_PARALLEL_MIN_RECORDS", default=20000)
# A cycle-collector pass every this many allocations while an object syncs (700 is Python's own; 0: leave it):
# integrations/sync/collector.py.
SYNC_GC_THRESHOLD = env.int("SYNC_GC_THRESHOLD", default=50000)
# Liveness (docs/sync.md, "What can go wrong"): a working step renews its run's heartbeat and the org's lock
# every SYNC_HEARTBEAT_SECONDS; a copy of a step silent for SYNC_STEP_STALE_SECONDS may be taken over by a
# redelivery; a run silent for SYNC_LOCK_SECONDS is abandoned (the reaper runs every SYNC_REAP_SECONDS) and
# its org freed. A step works for SYNC_STEP_SECONDS (then ends at a page boundary and queues its successor).
SYNC_LOCK_SECONDS = env.int("SYNC_LOCK_SECONDS", default=90)
SYNC_HEARTBEAT_SECONDS = env.float("SYNC_HEARTBEAT_SECONDS", default=10.0)
SYNC_STEP_STALE_SECONDS = env.int("SYNC_STEP_STALE_SECONDS", default=30)
SYNC_STEP_SECONDS = env.int("SYNC_STEP_SECONDS", default=20)
SYNC_REAP_SECONDS = env.int("SYNC_REAP_SECONDS", default=30)
# The nightly reconcile also re-reads this far behind each mark: commits later than the short look-back.
SYNC_DEEP_LOOKBACK_SECONDS = env.int("SYNC_DEEP_LOOKBACK_SECONDS", default=24 * 3600)
SYNC_OBJECT_ATTEMPTS = env.int("SYNC_OBJECT_ATTEMPTS", default=4)
SYNC_RETRY_BASE_SECONDS = env.float("SYNC_RETRY_BASE_SECONDS", default=30.0)
# A sync that changed data rebuilds its org's week (metrics, gaps, agendas: tens of seconds for a large org) at
# most once per this many minutes; what changes in between waits for one rebuild at the interval's end. 0: after
# every such sync. The Monday beat build and build_agendas are never held back (coaching/agendas/rebuilds.py).
AGENDA_REBUILD_INTERVAL_MINUTES = env.int("AGENDA_REBUILD_INTERVAL_MINUTES", default=60)
if AGENDA_REBUILD_INTERVAL_MINUTES < 0:
    raise ImproperlyConfigured("AGENDA_REBUILD_INTERVAL_MINUTES must be 0 (no debounce) or a number of minutes.")

# --- Email
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="coachapp <coachapp@localhost>")
DIGEST_MAX_ATTEMPTS = env.int("DIGEST_MAX_ATTEMPTS", default=5)
DIGEST_RETRY_BASE_SECONDS = env.int("DIGEST_RETRY_BASE_SECONDS", default=300)
DIGEST_CLAIM_TIMEOUT_SECONDS = env.int("DIGEST_CLAIM_TIMEOUT_SECONDS", default=600)

# --- REST API (coaching/api/, docs/api.md): API keys or the portal's session; JSON only; one error shape.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "coaching.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["coaching.api.permissions.InScope"],
    "DEFAULT_THROTTLE_CLASSES": ["coaching.api.throttling.ApiKeyRateThrottle"],
    # Requests per API key (per user for session calls): N/second, N/minute, N/hour or N/day; "anon": requests
    # without valid credentials, per client address, counted before their 401 (coaching/api/throttling.py).
    "DEFAULT_THROTTLE_RATES": {
        "api": env("API_THROTTLE_RATE", default="300/minute"),
        "anon": env("API_ANON_THROTTLE_RATE", default="30/minute"),
    },
    "DEFAULT_PAGINATION_CLASS": "coaching.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "coaching.api.errors.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# A new API key expires after this many days unless its issuer says otherwise; 0: keys never expire.
API_KEY_LIFETIME_DAYS = env.int("API_KEY_LIFETIME_DAYS", default=365)
if API_KEY_LIFETIME_DAYS < 0:
    raise ImproperlyConfigured("API_KEY_LIFETIME_DAYS must be 0 (no expiry) or a number of days.")

SPECTACULAR_SETTINGS = {
    "TITLE": "coachapp API",
    "DESCRIPTION": "Coaching data for CRM widgets and other tools, addressed by Salesforce ids. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    # Swagger UI's assets from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AgendaItemStatusEnum": "coaching.models.agendas.AgendaItem.Status",
        "CommitmentStatusEnum": "coaching.models.agendas.Commitment.Status",
        "SyncRunStatusEnum": "integrations.models.SyncRun.Status",
        "SyncObjectRunStatusEnum": "integrations.models.SyncObjectRun.Status",
    },
}

# --- Content-Security-Policy (django-csp): our own files only; no inline script or style anywhere (the
# portal's scripts, htmx and the Swagger UI are static files).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Production hardening (everything `manage.py check --deploy` asks for).
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Trusted because web is reachable only through the proxy that sets it: compose publishes its port on
    # 127.0.0.1 (docs/security.md). A setup that exposes gunicorn directly must not set this header's trust.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Invite and digest links carry tokens in their paths: no log line shows them (coachapp/logs.py).
    "filters": {"tokens": {"()": "coachapp.logs.RedactTokens"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["tokens"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # runserver's request log, through the same filter instead of Django's own handler.
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # django-axes logs every sign-in at INFO; its lockouts (WARNING) are what an operator needs.
        "axes": {"level": "WARNING"},
    },
}
