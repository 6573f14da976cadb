"""Settings, read from the environment (see .env.example for every variable).

With no DATABASE_URL the portal uses a SQLite file under var/; with no REDIS_URL Celery tasks run
in-process. Production (DEBUG off) refuses to start without a real SECRET_KEY.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Django's own debug 404/500 pages, for developers who ask for them; the demo shows the portal's.
DEBUG_TECHNICAL_PAGES = env_bool("DEBUG_TECHNICAL_PAGES", False)
TESTING = env_bool("TESTING", "pytest" in sys.modules)
_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = _DEV_SECRET
    else:
        raise ImproperlyConfigured("SECRET_KEY is not set. Set it in the environment (see .env.example).")
if not (DEBUG or TESTING) and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if (DEBUG or TESTING) else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets served from our own static files (no CDN)
    "axes",
    "csp",
    # Second factor for staff (issue 11 item 2): django-otp and its TOTP devices; the recovery codes are
    # accounts' own device (hashed at rest), not otp_static's (plain).
    "django_otp",
    "django_otp.plugins.otp_totp",
    # the platform
    "yunfu_ipfund.common",
    "yunfu_ipfund.accounts",
    "yunfu_ipfund.audit",
    "yunfu_ipfund.policy",
    "yunfu_ipfund.notices",
    # the domain, in the order of the Measures
    "applications",
    "lenders",
    "lenders.apikeys",  # the bank users' hashed, named, expiring API keys (issue 11 item 6)
    "fund",
    "compensation",
]
# Domain apps may offer portal.py (nav_items, tasks) and demo.py (seed): collected in this order.
PORTAL_APPS = ["applications", "lenders", "fund", "compensation"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # With DEBUG (the demo), the portal's Chinese 404/500 pages instead of Django's technical ones.
    "yunfu_ipfund.common.error_pages.FriendlyErrorPagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The database briefly away: 系统繁忙，请稍后重试 (503), never a 500 (outside sessions and auth).
    "yunfu_ipfund.common.db_unavailable.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session's second factor (django-otp's OTPMiddleware, cached).
    "yunfu_ipfund.accounts.middleware.VerifiedDeviceMiddleware",
    # Cache-Control: no-store on every authenticated response (pages, API, PDFs).
    "yunfu_ipfund.common.cache_headers.NoStoreForAuthenticatedMiddleware",
    # A staff session without a verified second factor reaches only enrolment, the code page, the
    # password change and logout (accounts.second_factor); then the forced password change.
    "yunfu_ipfund.accounts.middleware.SecondFactorRequiredMiddleware",
    "yunfu_ipfund.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "yunfu_ipfund.common.memo.RequestMemoMiddleware",
    "yunfu_ipfund.common.middleware.RequestContextMiddleware",
    "yunfu_ipfund.common.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yunfu_ipfund.urls"
WSGI_APPLICATION = "yunfu_ipfund.wsgi.application"

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
                "yunfu_ipfund.accounts.context_processors.portal",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Two database roles (docs/operations.md "Database roles"): DATABASE_URL is the runtime role (no DDL,
# no TRUNCATE, only SELECT/INSERT on the append-only tables); MIGRATE_DATABASE_URL is the owner of the
# tables. `manage.py migrate` (and `db_roles`, `createcachetable`) connect as the owner when it is set:
# one alias, switched for those commands, so that a data migration's queries run in the migration's
# own connection and transaction.
MIGRATE_DATABASE_URL = os.environ.get("MIGRATE_DATABASE_URL", "")
OWNER_COMMANDS = ("migrate", "db_roles", "createcachetable")
_COMMAND = (
    sys.argv[1] if len(sys.argv) > 1 and Path(sys.argv[0]).name in ("manage.py", "django-admin") else ""
)
if DATABASE_URL and MIGRATE_DATABASE_URL and _COMMAND in OWNER_COMMANDS:
    DATABASES["default"] = dj_database_url.parse(MIGRATE_DATABASE_URL, conn_max_age=0)
    DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Robustness (issue 12): a reused connection is checked before its first query in each request, so a
# connection PostgreSQL dropped is replaced instead of failing one request; web requests give up on a
# statement after DB_STATEMENT_TIMEOUT_MS and on a lock wait after DB_LOCK_TIMEOUT_MS; Celery workers
# (their tasks: imports, renders, daily checks) get the longer DB_TASK_* limits. The page the user sees
# when the database is away: common.db_unavailable.
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 30_000)
DB_LOCK_TIMEOUT_MS = env_int("DB_LOCK_TIMEOUT_MS", 10_000)
DB_TASK_STATEMENT_TIMEOUT_MS = env_int("DB_TASK_STATEMENT_TIMEOUT_MS", 600_000)
DB_TASK_LOCK_TIMEOUT_MS = env_int("DB_TASK_LOCK_TIMEOUT_MS", 60_000)
# The suite (parallel transactions queued on one lock, on a loaded 2-core CI machine) runs under the
# tasks' limits; tests/platform/test_db_robustness.py checks the web ones.
_IN_CELERY = "celery" in (Path(sys.argv[0]).name, Path(sys.argv[0]).parent.name)  # celery …, python -m celery
_LONG_LIMITS = _IN_CELERY or TESTING
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if _COMMAND not in OWNER_COMMANDS:  # a migration may take long; the owner's commands are not limited
        _statement_ms = DB_TASK_STATEMENT_TIMEOUT_MS if _LONG_LIMITS else DB_STATEMENT_TIMEOUT_MS
        _lock_ms = DB_TASK_LOCK_TIMEOUT_MS if _LONG_LIMITS else DB_LOCK_TIMEOUT_MS
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c statement_timeout={_statement_ms} -c lock_timeout={_lock_ms}"
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "yunfu_ipfund.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # 等保 2.0: three of four character classes, and none of the last five passwords (accounts.passwords).
    {"NAME": "yunfu_ipfund.accounts.passwords.CharacterClassesValidator", "OPTIONS": {"classes": 3}},
    {"NAME": "yunfu_ipfund.accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"last": 5}},
]
# A password is changed every PASSWORD_MAX_AGE_DAYS, at first login and after a reset (the session is
# sent to the change page until then); an account unused for ACCOUNT_INACTIVE_DAYS is locked by the
# daily check. docs/security.md.
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
ACCOUNT_INACTIVE_DAYS = env_int("ACCOUNT_INACTIVE_DAYS", 90)
# Audit events are kept at least this long (nothing deletes them: the database refuses it; docs/security.md).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "public:home"

# Sessions expire after inactivity (default 30 minutes) and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes: lock an account+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The client address of the lockouts is the one of the audit log and the rate limits (common.client).
AXES_CLIENT_IP_CALLABLE = "yunfu_ipfund.common.client.client_ip"
# Second factor (accounts.second_factor): 5 wrong codes lock the account's second factor for
# AXES_COOLOFF_MINUTES, as the password lockout does; django-otp's own growing delay is off (one rule).
# DEMO_SHOW_TOTP shows the current code on the code page under a red 演示环境 banner (scripts/demo.sh):
# a demo setting, refused in production.
OTP_TOTP_THROTTLE_FACTOR = 0
DEMO_SHOW_TOTP = env_bool("DEMO_SHOW_TOTP", False)
if DEMO_SHOW_TOTP and not (DEBUG or TESTING):
    raise ImproperlyConfigured(
        "DEMO_SHOW_TOTP shows every user's current one-time code: it is a demo setting and is refused in "
        "production (DEBUG off)."
    )
# How many reverse proxies of our own append to X-Forwarded-For; 0: the socket address is the client.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# One locale: the portal's own strings are official Chinese wording written directly (no gettext, no
# locale files, no LocaleMiddleware; docs/adr/0006). USE_I18N stays on only so that Django's own
# messages (forms, admin, validators) come in zh-hans, whatever language a browser asks for.
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded documents and generated notices: never under static/, never served directly.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
PRIVATE_MEDIA_ROOT = MEDIA_ROOT / "private"
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CREDIT_PROVIDER = os.environ.get("CREDIT_PROVIDER", "applications.credit.ManualCreditProvider")  # Art 7 check

# Celery: with REDIS_URL, a real broker; without it, tasks run in-process (eager).
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Work survives the queue (issue 12 item 4). A message is acknowledged after its task ran
# and given back when the worker running it dies, so it is delivered again; publishing gives up after
# a few seconds when the broker is away (the outbox row waits: notices.outbox), never after 19 s.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 3)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = env_int("CELERY_BROKER_CONNECTION_MAX_RETRIES", 1)
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 5, "max_retries": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_max": 1}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 3
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 1, "interval_start": 0}}
# Nothing reads a task's result (the records are the results): not stored, and publishing a task does
# not subscribe to the result store (which retried 20 times with Redis away).
CELERY_TASK_IGNORE_RESULT = True
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
    # Redis away is a cache miss, not a 500 (common.cache).
    CACHES = {"default": {"BACKEND": "yunfu_ipfund.common.cache.ResilientRedisCache", "LOCATION": REDIS_URL}}
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_EAGER_PROPAGATES = False
if TESTING:
    # The suite runs tasks in-process and keeps rate-limit counters per process, so that runs do not
    # leak into each other through Redis; tests/test_celery_redis.py exercises the real broker.
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "云浮市知识产权质押融资风险补偿平台 <noreply@localhost>"
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Hashed, named, expiring API keys (lenders.apikeys) replace DRF's plaintext tokens.
        "lenders.apikeys.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The one error shape (common.api), and each refusal of an identified caller audited.
    "EXCEPTION_HANDLER": "yunfu_ipfund.audit.api.exception_handler",
    # Every API list is a keyset page, newest first, no COUNT(*).
    "DEFAULT_PAGINATION_CLASS": "yunfu_ipfund.common.api.ApiCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Throttling keyed by common.client.client_ip (never a forged X-Forwarded-For); the suite runs
    # under rates it cannot reach, the throttling tests set their own.
    "DEFAULT_THROTTLE_CLASSES": [
        "yunfu_ipfund.common.client.ClientAnonRateThrottle",
        "yunfu_ipfund.common.client.ClientUserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_RATE_ANON", "1000000/hour" if TESTING else "60/hour"),
        "user": os.environ.get("API_RATE_USER", "1000000/hour" if TESTING else "2000/hour"),
    },
}
# The most rows an API list gives per page when the client asks (?page_size=).
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 200)
# Bank API keys (issue 11 item 6): the expiry offered by default and the longest allowed.
API_KEY_DEFAULT_DAYS = env_int("API_KEY_DEFAULT_DAYS", 180)
API_KEY_MAX_DAYS = env_int("API_KEY_MAX_DAYS", 365)

SPECTACULAR_SETTINGS = {
    "TITLE": "云浮市知识产权质押融资风险补偿平台 银行接口",
    "DESCRIPTION": "合作银行报送贷款备案、还款、逾期、风险分类及补偿申请的接口。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "/static/favicon.svg",
    "ENUM_NAME_OVERRIDES": {
        "FilingDocumentKindEnum": "lenders.models.FilingDocument.Kind",
        "EvidenceKindEnum": "compensation.evidence.EVIDENCE_CHOICES",
    },
}

# Security headers. HSTS and secure cookies in production; CSP everywhere, no CDN.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
if not (DEBUG or TESTING):
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container health check speaks plain HTTP inside
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# Public verification and objection forms: requests per IP per hour.
PUBLIC_FORM_RATE_PER_HOUR = env_int("PUBLIC_FORM_RATE_PER_HOUR", 30)

# The electronic seal of notices (notices.signing): the bureau's certificate and key as PKCS#12, the
# trust roots the public check accepts (PEM files, comma-separated) and an optional timestamp authority
# (PAdES-B-T; without it B-B). Production refuses to start without a certificate. In development the
# demo CA of `manage.py make_demo_ca` (var/demo-ca/, never committed) is used when present; tests make
# their own.
DEMO_CA_DIR = VAR_DIR / "demo-ca"
NOTICE_SIGNING_PKCS12 = os.environ.get("NOTICE_SIGNING_PKCS12", "")
NOTICE_SIGNING_PASSWORD = os.environ.get("NOTICE_SIGNING_PASSWORD", "")
NOTICE_TRUST_ROOTS = env_list("NOTICE_TRUST_ROOTS", [])
NOTICE_TSA_URL = os.environ.get("NOTICE_TSA_URL", "")
if not NOTICE_SIGNING_PKCS12 and DEBUG and not TESTING and (DEMO_CA_DIR / "bureau.p12").is_file():
    NOTICE_SIGNING_PKCS12 = str(DEMO_CA_DIR / "bureau.p12")
    NOTICE_SIGNING_PASSWORD = NOTICE_SIGNING_PASSWORD or "yunfu-demo-only"
    NOTICE_TRUST_ROOTS = NOTICE_TRUST_ROOTS or [str(DEMO_CA_DIR / "root.pem")]
if not (DEBUG or TESTING):
    if not NOTICE_SIGNING_PKCS12:
        raise ImproperlyConfigured(
            "NOTICE_SIGNING_PKCS12 is not set: notices must be signed with the bureau's certificate in "
            "production (see .env.example)."
        )
    if not Path(NOTICE_SIGNING_PKCS12).is_file():
        raise ImproperlyConfigured(f"NOTICE_SIGNING_PKCS12 names no file: {NOTICE_SIGNING_PKCS12}")
    if not NOTICE_TRUST_ROOTS or not all(Path(p).is_file() for p in NOTICE_TRUST_ROOTS):
        raise ImproperlyConfigured(
            "NOTICE_TRUST_ROOTS must name the PEM files of the roots the public verification trusts."
        )

# The audit chain's key (audit.hashing): every event is an HMAC-SHA256 over all its fields and the previous
# event's hash, with a key that is not in the database. AUDIT_HMAC_KEY_ID is stored in each event, so a
# rotation is recorded in the chain; AUDIT_HMAC_OLD_KEYS ("id:key,id:key") keeps the earlier keys for
# verification (docs/operations.md). Production refuses to start without a key; development and the tests
# use a clearly marked demo key. The daily checkpoint of the chain's head is appended to
# AUDIT_ANCHOR_DIR (JSON lines; outside the database; empty in tests unless a test sets it).
_DEMO_AUDIT_KEY = "demo-only-audit-hmac-key-never-use-in-production"
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "")
AUDIT_HMAC_KEY_ID = os.environ.get("AUDIT_HMAC_KEY_ID", "")
AUDIT_HMAC_OLD_KEYS = dict(item.split(":", 1) for item in env_list("AUDIT_HMAC_OLD_KEYS", []) if ":" in item)
if not AUDIT_HMAC_KEY and (DEBUG or TESTING):
    AUDIT_HMAC_KEY, AUDIT_HMAC_KEY_ID = _DEMO_AUDIT_KEY, AUDIT_HMAC_KEY_ID or "demo"
if not (DEBUG or TESTING):
    if not AUDIT_HMAC_KEY or AUDIT_HMAC_KEY == _DEMO_AUDIT_KEY or len(AUDIT_HMAC_KEY) < 32:
        raise ImproperlyConfigured(
            "AUDIT_HMAC_KEY is not set (or is the demo key, or shorter than 32 characters): the audit chain "
            "must be keyed in production (see .env.example and docs/operations.md)."
        )
    if not AUDIT_HMAC_KEY_ID:
        raise ImproperlyConfigured("AUDIT_HMAC_KEY_ID is not set: name the audit key (e.g. 2026-12).")
AUDIT_HMAC_KEY_ID = AUDIT_HMAC_KEY_ID or "k1"
AUDIT_ANCHOR_DIR = os.environ.get("AUDIT_ANCHOR_DIR", "" if TESTING else str(VAR_DIR / "audit-anchors"))
