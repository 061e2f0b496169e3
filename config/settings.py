"""Settings for the rural S&T commissioner platform.

Everything that differs between machines comes from the environment:
DATABASE_URL (default: an embedded SQLite file under var/), SECRET_KEY, FIELD_ENCRYPTION_KEY, DEBUG,
ALLOWED_HOSTS, EMAIL_HOST (notifications are also mailed only when it is set); for several machines REDIS_URL (cache,
sessions and login counters shared by every web process), S3_BUCKET and its S3_* companions (attachments in object
storage), LOG_FORMAT=json, METRICS_ALLOWED_IPS (see deploy/README.md).

DJANGO_ENV=production marks a production deployment. Then SECRET_KEY and FIELD_ENCRYPTION_KEY (a Fernet key
that seals ID numbers) must come from the environment, or the settings refuse to load; DEBUG is always off;
cookies are Secure, HTTPS is enforced and HSTS sent (1 year, subdomains, preload). Behind a TLS-terminating
proxy set SECURE_PROXY_SSL_HEADER (e.g. HTTP_X_FORWARDED_PROTO); SECURE_SSL_REDIRECT=0, SECURE_HSTS_SECONDS=0,
SESSION_COOKIE_SECURE=0 etc. turn the defaults off (check --deploy then warns). Static files are served from
STATIC_ROOT: run ``manage.py collectstatic`` on deploy.

Outside production the two keys, when not in the environment, are read from var/secret_key and
var/field_encryption_key, created with random values on first use (mode 0600) and reused afterwards: keep
them, deleting var/field_encryption_key makes the stored ID numbers unreadable. DEBUG is off unless DEBUG=1.
"""
import os
from pathlib import Path

import dj_database_url

from config import secrets

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KJTPY_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(exist_ok=True)


def _flag(name, default):
    """A yes/no environment variable: 1/true/yes/on or 0/false/no/off; ``default`` when unset or empty."""
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in ("1", "true", "yes", "on")


PRODUCTION = secrets.is_production()
SECRET_KEY = secrets.secret("SECRET_KEY", VAR_DIR, production=PRODUCTION, generate=secrets.new_secret_key)
if PRODUCTION:
    secrets.check_secret_key("SECRET_KEY", SECRET_KEY)
DEBUG = _flag("DEBUG", False) and not PRODUCTION
ALLOWED_HOSTS = [
    host.strip() for host in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if host.strip()
]

INSTALLED_APPS = [
    "core.admin_site.SystemAdminConfig",  # django.contrib.admin, for system administrators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "captcha",
    "health_check",
    "django_prometheus",
    # The programme, in lifecycle order.
    "core",
    "accounts",
    "regions",
    "cycles",
    "units",
    "needs",
    "teams",
    "calls",
    "matching",
    "notices",
    "registrations",
    "projects",
    "reviews",
    "fieldwork",
    "replacements",
    "evaluations",
    "coordination",
    "reports",
    "django_prose_editor",
    "portal",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.middleware.ForcePasswordChangeMiddleware",
    "core.middleware.ChineseMethodNotAllowedMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.shell",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # A SQLite file named by URL is shared by the web process and the worker too (see below).
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # The web process and the task worker share the file: WAL lets readers
            # go on during a write and IMMEDIATE avoids "database is locked" on upgrade.
            "OPTIONS": dict(SQLITE_OPTIONS),
            "TEST": {"NAME": None},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache backs login throttling, so it must be shared by every web process: Redis when REDIS_URL is set
# (e.g. redis://127.0.0.1:6379/0; sessions live there too), else a table in the database (sessions in the database).
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "kjtpy"),
            # A Redis that does not answer fails the request quickly instead of hanging a web worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kjtpy_cache",
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Permissions are the scoping function (core.scoping) and the workflow declarations (core.workflow), not Django's
# per-object backends: `rules`, django-import-export and factory-boy were dropped as unused (spreadsheets go through
# core.excel, the test world through the services).
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:landing"

# --- Login defence (accounts/throttle.py; shared by the login page and /api/v1/auth/token/) ---
# Reverse proxies in front of the app that append to X-Forwarded-For; 0 = ignore X-Forwarded-For entirely.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Per account: from this many failures the page asks for a CAPTCHA and each failure cools the account for
# 2^(failures - this) seconds, at most LOGIN_DELAY_MAX_SECONDS; a success clears it.
LOGIN_CAPTCHA_AFTER_FAILURES = int(os.environ.get("LOGIN_CAPTCHA_AFTER_FAILURES", "3"))
# Per client address, across all usernames: the same growing delay from this many failures.
LOGIN_IP_DELAY_AFTER_FAILURES = int(os.environ.get("LOGIN_IP_DELAY_AFTER_FAILURES", "20"))
LOGIN_DELAY_MAX_SECONDS = int(os.environ.get("LOGIN_DELAY_MAX_SECONDS", "900"))
# Failures are forgotten after this long without a new one.
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "86400"))
# API tokens expire this long after they are issued (then obtain a new one with the password).
API_TOKEN_TTL_HOURS = int(os.environ.get("API_TOKEN_TTL_HOURS", "720"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", "").strip() or BASE_DIR / "staticfiles")
STATIC_ROOT.mkdir(exist_ok=True)
# Outside production WhiteNoise serves straight from the app and project folders (runserver does not serve
# static files when DEBUG is off); in production from STATIC_ROOT, filled by collectstatic, which there writes
# content-hashed names (pages link those) and gzip and brotli copies beside each file (WhiteNoise sends the
# smallest one the browser accepts). Hashed names are cached for good ("immutable": a changed file gets a new name);
# the unhashed copies for an hour. STATIC_MANIFEST=1 does the same outside production (bench/weak_network.py).
STATIC_MANIFEST = _flag("STATIC_MANIFEST", PRODUCTION)
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST
if STATIC_MANIFEST:
    WHITENOISE_MAX_AGE = 3600
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Attachments: a folder (MEDIA_ROOT) by default; S3-compatible object storage (django-storages) when S3_BUCKET is set.
# Either way files are only ever served through scoped views (core.files), streamed: the bucket stays private.
S3_BUCKET = os.environ.get("S3_BUCKET", "").strip()
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL", "").strip() or None,
            "region_name": os.environ.get("S3_REGION", "").strip() or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID", "").strip() or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY", "").strip() or None,
            "location": os.environ.get("S3_PREFIX", "").strip(),
            "default_acl": "private",
            "file_overwrite": False,  # a name taken gets a suffix, never another record's file
            "querystring_auth": True,  # any URL made for a file is signed and short-lived
            "querystring_expire": 300,
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE", "").strip() or None,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    # The manifest storage needs collectstatic's manifest: plain names where none ran (development, tests).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage" if STATIC_MANIFEST
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

# --- Background tasks ----------------------------------------------------------
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# A task still running after this long lost its worker (killed, machine lost): the scheduled job
# recover_interrupted_tasks marks it and its progress page failed, for the user to start it again. Keep it above the
# longest task.
TASK_STALE_AFTER_SECONDS = int(os.environ.get("TASK_STALE_AFTER_SECONDS", "1800"))
# /health/ reports the task queue unhealthy when a task has waited longer than this for a worker (no worker alive).
TASK_QUEUE_MAX_WAIT_SECONDS = int(os.environ.get("TASK_QUEUE_MAX_WAIT_SECONDS", "600"))

# --- Health and metrics (deploy/README.md) ----------------------------------------
# /metrics (Prometheus, django-prometheus) answers only these client addresses (the scraper's); others get 404.
# Several gunicorn workers share their counters through PROMETHEUS_MULTIPROC_DIR (set by `make serve`).
METRICS_ALLOWED_IPS = [ip.strip() for ip in os.environ.get("METRICS_ALLOWED_IPS", "127.0.0.1,::1").split(",")
                       if ip.strip()]
PROMETHEUS_EXPORT_MIGRATIONS = False

# --- API ------------------------------------------------------------------------
# django-filter: an unset choice filter reads "全部" on every list (not "---------"); "null" choices say "未填".
FILTERS_EMPTY_CHOICE_LABEL = "全部"
# Tables with Bootstrap 5 markup, their pagination included (styled like the rest of the page).
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
FILTERS_NULL_CHOICE_LABEL = "未填"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a refused token answers 401 with WWW-Authenticate (the first class sets the header).
        "accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
    # Service and database errors (ValidationError, Conflict, IntegrityError, ProtectedError …) answer 4xx in Chinese.
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # DRF's own throttles: the client address as core.request_id.client_ip sees it, never a forged header.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "农村科技特派员驻镇帮镇扶村平台 API",
    "DESCRIPTION": "韶关市农村科技特派员驻镇帮镇扶村行动 — REST API (v1). Every list is scoped to the caller.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from the installed package: the pages work with no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two fields named organizer_level with different choices: name both enums (no drf_spectacular.W001).
    "ENUM_NAME_OVERRIDES": {
        "CallOrganizerLevelEnum": "calls.choices.OrganizerLevel",
        "PairingOrganizerLevelEnum": "fieldwork.models.LEVELS",
        # fieldwork: one state set for activities and stays, one provision set for the four working conditions.
        "FieldRecordStatusEnum": "fieldwork.choices.RecordStatus",
        "ConditionCategoryEnum": "fieldwork.choices.ConditionCategory",
        "ProvisionEnum": "fieldwork.choices.Provision",
        # The six service types: one name for needs, teams and activities.
        "ServiceTypeEnum": "needs.choices.ServiceType",
        # Issue 19: a coordination group's level, a reward's level, a training's and a case file's kind.
        "GroupLevelEnum": "coordination.choices.GroupLevel",
        "RewardLevelEnum": "evaluations.choices.RewardLevel",
        "TrainingKindEnum": "evaluations.choices.TrainingKind",
        "CaseFileKindEnum": ["evidence", "answer"],
        # Issue 20: an annual report's state (its level, county/city, is calls' organizer-level choice set and shares
        # CallOrganizerLevelEnum: the same values and labels).
        "AnnualReportStatusEnum": "reports.choices.ReportStatus",
    },
}

# --- Mail: notifications are mailed only when a mail server is configured ----------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
NOTIFY_BY_EMAIL = bool(EMAIL_HOST)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.locmem.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@kjtpy.local")

# --- Imports --------------------------------------------------------------------
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "20000"))
# Upload size limits, one per kind (calls.uploads.LIMIT_SETTINGS); the forms state the same numbers.
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))  # attachments, minutes
OBJECTION_UPLOAD_MAX_BYTES = int(os.environ.get("OBJECTION_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))  # public
IMPORT_UPLOAD_MAX_BYTES = int(os.environ.get("IMPORT_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))  # spreadsheets
PHOTO_UPLOAD_MAX_BYTES = int(os.environ.get("PHOTO_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))  # activity photos
# Activity photos are resized to this longest side (and a thumbnail) by the background task.
PHOTO_MAX_SIDE = 1600
PHOTO_THUMB_SIDE = 360
# Spreadsheet reading (core.excel): a longer cell is refused while reading, before it is built in memory, and a
# workbook whose parts unpack to more than this is refused before it is opened (a zip or shared-strings bomb).
EXCEL_MAX_CELL_CHARS = int(os.environ.get("EXCEL_MAX_CELL_CHARS", "5000"))
EXCEL_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("EXCEL_MAX_UNCOMPRESSED_BYTES", str(100 * 1024 * 1024)))

# --- Captcha: local images only ----------------------------------------------------
CAPTCHA_IMAGE_SIZE = (120, 40)
CAPTCHA_FONT_SIZE = 28
CAPTCHA_LENGTH = 4

# --- Security: HTTPS-only in production (each can be turned off by its environment variable) -------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = _flag("CSRF_COOKIE_SECURE", SESSION_COOKIE_SECURE)
SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT", PRODUCTION)
# Load balancers and Prometheus ask the web machines directly over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "").strip() or (31536000 if PRODUCTION else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = _flag("SECURE_HSTS_PRELOAD", PRODUCTION)
# Behind a TLS-terminating proxy: the header it sets, e.g. "HTTP_X_FORWARDED_PROTO" or "X-Forwarded-Proto,https".
# Only set it when the proxy always sets (and overwrites) that header.
_proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_header:
    _header, _, _value = _proxy_header.partition(",")
    _header = _header.strip().upper().replace("-", "_")
    SECURE_PROXY_SSL_HEADER = (_header if _header.startswith("HTTP_") else "HTTP_" + _header, _value.strip() or "https")

# Logs: one line per record on stderr, with the request's id (X-Request-ID, core.request_id); LOG_FORMAT=json
# (the production default) writes each as a JSON object for a log collector.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text").strip().lower()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_id.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.request_id.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": "json" if LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "kjtpy.requests": {"handlers": ["console"], "level": "INFO" if _flag("LOG_REQUESTS", PRODUCTION) else "WARNING",
                           "propagate": False},
        "kjtpy.sensitive": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Django logs to the console only when DEBUG is on: keep server errors and security warnings visible.
        "django": {"handlers": ["console"], "level": "INFO" if DEBUG else "WARNING", "propagate": False},
        "jieba": {"level": "WARNING"},
    },
}
# The Fernet key sealing ID numbers: from the environment, else (outside production) var/field_encryption_key.
FIELD_ENCRYPTION_KEY = secrets.check_fernet_key(
    "FIELD_ENCRYPTION_KEY",
    secrets.secret("FIELD_ENCRYPTION_KEY", VAR_DIR, production=PRODUCTION, generate=secrets.new_fernet_key),
)
FIELD_ENCRYPTION_OLD_KEYS = os.environ.get("FIELD_ENCRYPTION_OLD_KEYS", "")  # still decrypt during a key rotation
