"""One settings file, driven by the environment.

With nothing set it runs the embedded default: SQLite and Celery tasks executed
eagerly, so `make run` works on a bare machine. Production sets DATABASE_URL,
CELERY_BROKER_URL, SECRET_KEY, DEBUG=false and ALLOWED_HOSTS.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from pooling.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("POOLING_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=True)
# The product's own 403/404/500 pages even with DEBUG on (the demo); false: Django's debug pages.
PRODUCT_ERROR_PAGES = env_bool("PRODUCT_ERROR_PAGES", default=True)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "生产环境必须设置 SECRET_KEY；SECRET_KEY must be set when DEBUG=false"
        )
    SECRET_KEY = "embedded-default-insecure-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The pooling area this deployment serves (GB/T 2260 code): a city today, a
# province later — the same shape one level up.
POOLING_AREA_CODE = env_str("POOLING_AREA_CODE", "320900")

# A transfer between counties the sending county neither confirms nor objects to within
# this many working days (Monday–Friday; no holiday calendar yet) completes by itself
# (enrollment.complete_due_transfers, daily). Fixed on each transfer when it is opened.
TRANSFER_RELEASE_WORKING_DAYS = env_int("TRANSFER_RELEASE_WORKING_DAYS", 10)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "auditlog",
    "import_export",
    "pooling.access.apps.SignInProtectionConfig",  # django-axes (label "axes")
    "pooling",
    "enrollment",
    "providers",
    "funds",
    "settlement",
]
# Bench only (bench.settlement_http's write floor, bench/_write_floor.py): two extra infnos on
# /api/hsa/. Never set in production; without it those infnos are unknown to the interface.
if env_bool("POOLING_BENCH_WRITE_FLOOR", default=False):
    INSTALLED_APPS.append("bench._write_floor.WriteFloorConfig")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # County scoping for every query made while serving this request.
    "pooling.kernel.scoping.ScopeMiddleware",
    "pooling.web.middleware.ReadOnlyRoleMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "pooling.web.middleware.ProductErrorPagesMiddleware",
    # Turns a lockout flagged during the request into the login page saying when to retry.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pooling.urls"
WSGI_APPLICATION = "pooling.wsgi.application"
ASGI_APPLICATION = "pooling.asgi.application"

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
                "pooling.web.context_processors.pooling",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", _default_db), conn_max_age=env_int("DB_CONN_MAX_AGE", 0)
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL 无法解析：{exc}；DATABASE_URL is malformed: {exc}"
    ) from exc
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
# Two PostgreSQL roles (pooling/dbroles.py): `migrate` runs as the owner with
# DATABASE_APP_ROLE naming the runtime role it grants to (and DATABASE_APP_PASSWORD to
# create it or set its password); web, worker and beat log in as the runtime role.
# DATABASE_ROLE: a role to SET after logging in, for a login that holds both (the tests).
DATABASE_APP_ROLE = env_str("DATABASE_APP_ROLE", "")
DATABASE_APP_PASSWORD = env_str("DATABASE_APP_PASSWORD", "")
if env_str("DATABASE_ROLE") and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["assume_role"] = env_str("DATABASE_ROLE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "pooling.User"
# django-axes first: a locked-out username is refused before its password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "pooling.kernel.permissions.RoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Guessing passwords (pooling/access): after LOGIN_FAILURE_LIMIT wrong passwords for one
# username from one address, on the login page or over the API's HTTP Basic, that pair is
# locked for LOGIN_LOCKOUT_MINUTES (each further try restarts the wait). Locking the pair,
# not the username alone, keeps a stranger from locking a clerk out of her own desk; an
# administrator sees and lifts lockouts in the admin (登录锁定), and both are audited.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "pooling.access.views.lockout_response"
AXES_ENABLE_ADMIN = False  # ours, in Chinese, with a lift action: pooling/access/admin.py
AXES_VERBOSE = False
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For entries to trust.
if env_int("TRUSTED_PROXY_COUNT", 0):
    AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"  # display and month boundaries; storage is UTC

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = DEBUG  # serve from app folders in the embedded default
WHITENOISE_AUTOREFRESH = DEBUG
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing root

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "pooling.web.drf.ReadOnlyRolePermission",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "pooling.web.api.exception_handler",
    # Per client address (anonymous) and per account; a provider's system posting claims
    # stays far below the user rate. Counters live in the cache (Redis in production).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "30/minute"),
        "user": env_str("API_THROTTLE_USER", "6000/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "市级统筹医保系统 API / City pooling API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["pooling.web.drf.ApiDocsReader"],
    # One enum name per choice set in the schema: the kernel's code lists whichever field
    # carries them, and settlement kinds (several models have a field named "kind").
    "ENUM_NAME_OVERRIDES": {
        "PersonCategoryEnum": "pooling.kernel.choices.PersonCategory",
        "HospitalLevelEnum": "pooling.kernel.choices.HospitalLevel",
        "SettlementKindEnum": "settlement.models.settlements.SettlementKind",
    },
}

# Celery: with no broker configured, tasks run eagerly in-process (embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# acks_late: a task is acknowledged only after it finished, so a worker killed
# mid-task gets its task redelivered. That is only safe because every task here
# is idempotent (see pooling/celery.py for the rule).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "pooling")
# Redis hands an unacknowledged message (a worker died holding it) to another worker only
# after this many seconds; a cycle shard is short, so an hour would stall a month's run.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}

# The monthly cycle (settlement/cycle): which steps a run has (tests inject their own),
# and after how long without progress the watchdog sends a running run's shards again.
POOLING_CYCLE_STEPS = env_str("POOLING_CYCLE_STEPS", "settlement.cycle.steps.STEPS")
CYCLE_WATCHDOG_STALE_SECONDS = env_int("CYCLE_WATCHDOG_STALE_SECONDS", 600)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("REDIS_CACHE_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("REDIS_CACHE_URL"),
    }

# Production hardening; `manage.py check --deploy` passes with DEBUG=false.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = 8 * 3600  # one working day

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # axes narrates every attempt at INFO; lockouts (WARNING) are what an operator needs.
    "loggers": {"axes": {"level": "WARNING"}},
}

# The national interface: does `fund_pay_sumamt` include the personal account's payment?
# Provinces differ; the 3201 reconciliation answer says which this deployment uses.
HSA_FUND_PAY_INCLUDES_ACCOUNT = env_bool("HSA_FUND_PAY_INCLUDES_ACCOUNT", default=False)
# A rotated provider credential keeps working this long, so a provider switches without downtime.
HSA_ROTATION_GRACE_HOURS = env_int("HSA_ROTATION_GRACE_HOURS", 24)
# Seconds a server process may reuse what every message looks up (settlement/services/memo.py):
# the credential a key names, today's sign-in, the provider, "in performance on X", the policy and
# catalogue in force. 0 = read every time. The staleness bound: a change made in another process
# (a credential revoked, a 9002 sign-out, a suspension, a policy published) reaches every worker
# within this many seconds; in the process that made it at once. 5 s is far below how fast an
# agency acts on a leaked key, and a worker answering tens of messages a second reads each
# lookup once per 5 s instead of on every message.
HSA_LOOKUP_TTL_SECONDS = env_int("HSA_LOOKUP_TTL_SECONDS", 5)
# Interface messages bind on the server and reuse prepared statements (settlement/hsa/prepared.py);
# false behind a connection pooler in transaction mode, which does not keep them.
HSA_PREPARED_STATEMENTS = env_bool("HSA_PREPARED_STATEMENTS", default=True)
