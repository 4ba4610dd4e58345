"""Anwei settings: everything comes from the environment (healthchecks-style), with safe defaults for the
embedded SQLite set-up that `make run` gives."""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("ANWEI_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable accepts only "true" or "false"."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() == "true":
        return True
    if value.lower() == "false":
        return False
    raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str) -> str | None:
    """A secret comes from NAME or from the file named by NAME_FILE."""
    if value := os.environ.get(name):
        return value
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text(encoding="utf-8").strip()
    return None


def _embedded_secret_key() -> str:
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


DEBUG = env_bool("ANWEI_DEBUG", False)
TESTING = env_bool("ANWEI_TESTING", bool(os.environ.get("PYTEST_VERSION")))
SECRET_KEY = env_secret("ANWEI_SECRET_KEY") or _embedded_secret_key()
# The audit log's keys and its witness file, kept outside the database (anwei.audit.keys, docs/security.md): the
# embedded default generates them under var/ (0600) on first use; in production ANWEI_AUDIT_KEY_FILE names files
# readable only by the service, and a missing file stops the writes and `audit verify` instead of making a new key.
AUDIT_KEY_FILE = Path(os.environ.get("ANWEI_AUDIT_KEY_FILE", VAR_DIR / "audit-key"))
AUDIT_SIGNING_KEY_FILE = Path(os.environ.get("ANWEI_AUDIT_SIGNING_KEY_FILE", VAR_DIR / "audit-signing-key"))
AUDIT_WITNESS = Path(os.environ.get("ANWEI_AUDIT_WITNESS", VAR_DIR / "audit-witness.jsonl"))
AUDIT_KEYS_GENERATE = env_bool("ANWEI_AUDIT_KEYS_GENERATE", "ANWEI_AUDIT_KEY_FILE" not in os.environ)
ALLOWED_HOSTS = env_list("ANWEI_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("ANWEI_CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("ANWEI_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "crontask",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "anwei.core",
    "anwei.audit",
    "anwei.accounts",
    "anwei.officecalendar",
    "anwei.directory",
    "anwei.plans",
    "anwei.notifications",
    "anwei.incidents",
    "anwei.inspections",
    "anwei.classified",
    "anwei.awareness",
    "anwei.reports",
    "anwei.drills",
    "anwei.upward",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "anwei.core.dbrouter.ReadYourWritesMiddleware",  # with a replica: pins a browser that just wrote to the primary
    "anwei.core.middleware.ApiErrorMiddleware",  # every error under /api/v1/ in the API's JSON shape
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "anwei.core.middleware.SessionMiddleware",  # Django's, but background polling does not extend the session
    "anwei.core.middleware.LocaleMiddleware",
    "anwei.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "anwei.accounts.middleware.TwoFactorMiddleware",
    "anwei.accounts.middleware.ActorMiddleware",  # request.actor, once per request (anwei.accounts.actor)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "anwei.core.middleware.RequestContextMiddleware",
    "anwei.core.middleware.TransientFailureMiddleware",
    "anwei.core.middleware.DomainErrorMiddleware",  # NotAllowed → 403, BusinessRuleError → 400, in page views
    "anwei.core.idempotency_forms.FormIdempotencyMiddleware",  # last: after the CSRF, sign-in and 2FA checks
]

ROOT_URLCONF = "anwei.urls"
WSGI_APPLICATION = "anwei.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "anwei.accounts.context_processors.shell",
            ],
            "builtins": ["django.templatetags.i18n", "anwei.core.templatetags.roc", "anwei.core.templatetags.words"],
        },
    }
]

# Database: SQLite under var/ by default (WAL, persistent connections); PostgreSQL by DATABASE_URL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'anwei.sqlite3'}"
# Least privilege on PostgreSQL (docs/operations.md): the web and worker processes connect with DATABASE_URL as the
# application role (no DDL, no UPDATE/DELETE on the audit log, no trigger control); the commands that change the
# schema or the grants connect as the owner role given by ANWEI_MIGRATE_DATABASE_URL.
OWNER_COMMANDS = {"migrate", "pg-roles", "createcachetable"}
MIGRATE_DATABASE_URL = os.environ.get("ANWEI_MIGRATE_DATABASE_URL", "")
if MIGRATE_DATABASE_URL and set(sys.argv[1:2]) & OWNER_COMMANDS:
    DATABASE_URL = MIGRATE_DATABASE_URL
# SQLite's connection options. temp_store=MEMORY: a statement's rollback journal stays in memory — in a file it was
# a temporary file made, written and removed by every filing while the writers' gate was held (issue 20: −0.6 ms of
# a filing's 4.5 ms of CPU).
SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; PRAGMA temp_store=MEMORY;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=None, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "anwei.core.sqlite"  # Django's, with a writers' gate (core/sqlite/base.py)
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
# PostgreSQL: statements bound and prepared on the server (issue 20: psycopg prepares a statement the second time it
# runs, so the filing's dozen statements are parsed and planned once per connection); ANWEI_PG_SERVER_BINDING=false
# for client-side binding.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("ANWEI_PG_SERVER_BINDING", True):
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 2})
# National scale (docs/operations.md): roll-up reads from a PostgreSQL streaming replica, with read-your-writes
# (anwei.core.dbrouter); a browser that wrote reads the primary for ANWEI_REPLICA_PIN_SECONDS.
REPLICA_DATABASE_URL = os.environ.get("ANWEI_REPLICA_DATABASE_URL", "")
ANWEI_REPLICA_PIN_SECONDS = env_int("ANWEI_REPLICA_PIN_SECONDS", 10)
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = dj_database_url.parse(REPLICA_DATABASE_URL, conn_max_age=None, conn_health_checks=True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["anwei.core.dbrouter.ReplicaRouter"]
# PgBouncer in transaction-pooling mode (docs/operations.md): no server-side cursors, which live across transactions.
if os.environ.get("ANWEI_PGBOUNCER", "") == "transaction":
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
        _database.get("OPTIONS", {}).pop("prepare_threshold", None)  # prepared statements live on one server session
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = ["anwei.accounts.lockout.ThrottleBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Sessions expire after inactivity (every request pushes the expiry on, except background polling: see
# anwei.core.middleware.SessionMiddleware), and end when the password changes or the user signs out everywhere
# (accounts.User.get_session_auth_hash).
SESSION_COOKIE_AGE = env_int("ANWEI_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Sign-in: two-factor (TOTP, django-otp) for the roles in accounts.roles.MFA_REQUIRED or everyone when an admin
# says so; throttling (accounts.lockout): ANWEI_LOGIN_FAILURE_LIMIT failed sign-ins (wrong passwords and wrong codes)
# lock a user name, ANWEI_LOGIN_ADDRESS_FAILURE_LIMIT lock a client address, each for ANWEI_LOCKOUT_MINUTES doubled
# with every lockout in a row, at most ANWEI_LOCKOUT_MAX_HOURS — never for good; an admin may lift a lock earlier.
OTP_TOTP_ISSUER = "Anwei 安維"
ANWEI_LOGIN_FAILURE_LIMIT = env_int("ANWEI_LOGIN_FAILURE_LIMIT", 10)
ANWEI_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("ANWEI_LOGIN_ADDRESS_FAILURE_LIMIT", 30)
ANWEI_LOCKOUT_MINUTES = env_int("ANWEI_LOCKOUT_MINUTES", 15)
ANWEI_LOCKOUT_MAX_HOURS = env_int("ANWEI_LOCKOUT_MAX_HOURS", 24)

# HTTPS: secure cookies and HSTS when served over TLS (ANWEI_HTTPS=true), as `check --deploy` asks.
HTTPS = env_bool("ANWEI_HTTPS", not DEBUG and not TESTING and "ANWEI_ALLOWED_HOSTS" in os.environ)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("ANWEI_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("ANWEI_BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Languages: zh-Hant first, English complete. Times stored UTC, shown Asia/Taipei.
LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True

# Backups (audit.backup): the manifest is signed (HMAC-SHA-256) with a key outside the database, from
# ANWEI_BACKUP_SIGNING_KEY_FILE, else var/backup-signing.key (generated); the backup is
# encrypted (AES-256-GCM) when ANWEI_BACKUP_KEY_FILE names a key file. Without that key there is no recovery.
ANWEI_BACKUP_SIGNING_KEY_FILE = os.environ.get("ANWEI_BACKUP_SIGNING_KEY_FILE") or None
ANWEI_BACKUP_KEY_FILE = os.environ.get("ANWEI_BACKUP_KEY_FILE") or None

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("ANWEI_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("ANWEI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it, even before collectstatic
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ANWEI_MAX_UPLOAD_BYTES = env_int("ANWEI_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)

# Background work: django.tasks with the database backend (worker: `python -m anwei worker`).
TASKS = {"default": {"BACKEND": "anwei.core.taskqueue.DatabaseBackend"}}  # django-tasks-db's, its row written faster
CRONTASK = {"REDIS_URL": os.environ.get("ANWEI_REDIS_URL") or None}

# E-mail (Django 6.1 mailers)
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("ANWEI_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ.get("ANWEI_EMAIL_HOST", "127.0.0.1"),
            "port": env_int("ANWEI_EMAIL_PORT", 25),
            "username": os.environ.get("ANWEI_EMAIL_USER", ""),
            "password": env_secret("ANWEI_EMAIL_PASSWORD") or "",
            "use_tls": env_bool("ANWEI_EMAIL_USE_TLS", False),
            "timeout": env_int("ANWEI_EMAIL_TIMEOUT", 10),
        },
    }
}
if MAILERS["default"]["BACKEND"] != "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {}
# With no mail server configured (`make run`), e-mail is kept in the local mailbox that administrators read in the app
# (Deliveries → Local mailbox) instead of failing against a server that is not there.
ANWEI_LOCAL_MAILBOX = env_bool(
    "ANWEI_LOCAL_MAILBOX",
    not os.environ.get("ANWEI_EMAIL_HOST") and "ANWEI_EMAIL_BACKEND" not in os.environ and not TESTING,
)
DEFAULT_FROM_EMAIL = os.environ.get("ANWEI_EMAIL_FROM", "anwei@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

APP_NAME = _("Anwei")
NINJA_PAGINATION_CLASS = "anwei.core.pagination.Paginated"
NINJA_PAGINATION_MAX_LIMIT = 500
# Links in e-mail and webhooks point here.
ANWEI_BASE_URL = os.environ.get("ANWEI_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Notification channels used when a caller does not name them (see anwei.notifications.channels).
ANWEI_NOTIFY_CHANNELS = env_list("ANWEI_NOTIFY_CHANNELS", "inapp,email")
# The county or city of the office (e.g. 臺北市): its typhoon closures (停止上班) are days off in working-day counts.
ANWEI_OFFICE_COUNTY = os.environ.get("ANWEI_OFFICE_COUNTY", "")
# The daily situation report covers the 24 hours up to this time and is generated and sent by the worker then.
ANWEI_DAILY_CUTOFF = os.environ.get("ANWEI_DAILY_CUTOFF", "08:00")
# Upward (上報): the superior ethics office's instance and this instance's link token (`link create` there prints it);
# unset, nothing is queued for upward. A failed push is retried after ANWEI_UPWARD_RETRY_SECONDS, doubled each time.
ANWEI_UPSTREAM_URL = os.environ.get("ANWEI_UPSTREAM_URL", "").rstrip("/")
ANWEI_UPSTREAM_TOKEN = env_secret("ANWEI_UPSTREAM_TOKEN") or ""
ANWEI_UPWARD_RETRY_SECONDS = env_int("ANWEI_UPWARD_RETRY_SECONDS", 30)
# The results report lists this many of the period's notable reports, the most serious first (the rest are counted).
ANWEI_REPORT_NOTABLE_MAX = env_int("ANWEI_REPORT_NOTABLE_MAX", 100)
# The office a report goes up to (受文者 of its cover letter) when the directory names none for the agency.
ANWEI_SUPERIOR_OFFICE = os.environ.get("ANWEI_SUPERIOR_OFFICE", "法務部廉政署")
# The incidents board refreshes itself this often (seconds).
ANWEI_BOARD_REFRESH_SECONDS = env_int("ANWEI_BOARD_REFRESH_SECONDS", 30)
# How many reports one user may file in a period (each filing e-mails outside bodies): COUNT/PERIOD, or "off".
ANWEI_FILING_RATE = os.environ.get("ANWEI_FILING_RATE", "30/10min")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ANWEI_LOG_LEVEL", "WARNING")},
}
