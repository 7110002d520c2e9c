"""Wangge settings: one file, read from the environment, failing loudly on bad values."""

import datetime as dt
import os
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlparse

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from wangge.lib.workcal import parse_periods

BASE_DIR = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default)
    if value not in ("True", "False", "1", "0", "true", "false"):
        raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")
    return value in ("True", "1", "true")


def _env_as(name: str, default: str, convert: Callable[[str], T], what: str) -> T:
    value = os.getenv(name, default)
    try:
        return convert(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be {what}, not {value!r}") from exc


def envint(name: str, default: str) -> int:
    return _env_as(name, default, int, "an integer")


def envfloat(name: str, default: str) -> float:
    return _env_as(name, default, float, "a number")


def database_from_url(url: str) -> dict:
    """`sqlite:///path/to/db.sqlite3` or `postgres://user:password@host:port/name`."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path if path not in ("", "/") else str(BASE_DIR / "var" / "wangge.sqlite3"),
            # Each web thread keeps its connection between requests: opening one costs about 1.1 ms
            # (the PRAGMAs below) and its first query another 0.35 ms (reading the schema), which
            # every request paid before. With 16 clients intake went from 197 to 295 tickets/s and the
            # bare insert view from 521 to 1,101 rows/s (one intake-bench run each).
            "CONN_MAX_AGE": envint("WANGGE_CONN_MAX_AGE", "60"),
            # WAL lets the web app read while the worker writes; IMMEDIATE avoids lock upgrades
            # that SQLite would otherwise fail with "database is locked". A connection waits up to 20 s
            # for the write lock (set before the journal mode, which needs the lock on a busy database:
            # the task worker once gave up at start while the deadline worker escalated a backlog).
            # The log is copied back into the database every 10,000 pages (40 MB) instead of 1,000: a
            # new ticket touches some twenty index pages, mostly the same hot ones, and each copy writes
            # a page once however often it changed (intake/bare in paired runs of the intake bench:
            # 0.32 -> 0.35).
            # Pages are read through a memory map of the file (up to 2 GB, SQLite's usual ceiling)
            # rather than a system call each into a 2 MB cache per connection: counting a unit's open
            # tickets at a million (29,000 rows, three index probes each) took 0.13 s, 0.07 s mapped.
            "OPTIONS": {
                "timeout": 20,
                "init_command": (
                    "PRAGMA busy_timeout=20000; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA wal_autocheckpoint=10000; PRAGMA mmap_size=2147418112;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
            # Tests use a file, not memory, so that threads and worker processes share the database;
            # one per test run, removed by the test runner at the end.
            "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"wangge-test-{os.getpid()}.sqlite3")},
        }
    if parsed.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": envint("WANGGE_CONN_MAX_AGE", "60"),
            # No just-in-time compilation: PostgreSQL compiles a plan it estimates costly (a count over
            # a million tickets), which took seconds longer than running it, on every request.
            "OPTIONS": {"options": "-c jit=off"},
        }
    raise ImproperlyConfigured(f"WANGGE_DATABASE_URL: unsupported scheme {parsed.scheme!r}")


# Off unless asked for: tracebacks with locals and the URL list on a 404 are for a developer's machine.
DEBUG = envbool("WANGGE_DEBUG", "False")
# The demo district (`make demo`, `make bench`) and the test suite run with the public development keys
# below; nothing else may. WANGGE_DEMO=True says "this database holds made-up people only".
DEMO = envbool("WANGGE_DEMO", "False")
PUBLIC_KEYS_ALLOWED = DEBUG or DEMO or "pytest" in sys.modules

_DEV_SECRET = "wangge-development-secret-do-not-use-in-production"
SECRET_KEY = os.getenv("WANGGE_SECRET_KEY", _DEV_SECRET)
if SECRET_KEY == _DEV_SECRET and not PUBLIC_KEYS_ALLOWED:
    raise ImproperlyConfigured("WANGGE_SECRET_KEY must be set (outside the demo and WANGGE_DEBUG)")

# Key for ID and phone numbers at rest (Fernet, urlsafe base64 of 32 bytes). The development default is
# public: anyone with this source can decrypt a database encrypted with it.
DEV_FIELD_KEY = "d2FuZ2dlLWRldmVsb3BtZW50LWtleS0zMmJ5dGVzISE="
FIELD_ENCRYPTION_KEY = os.getenv("WANGGE_FIELD_KEY", DEV_FIELD_KEY)
if FIELD_ENCRYPTION_KEY == DEV_FIELD_KEY:
    if not PUBLIC_KEYS_ALLOWED:
        raise ImproperlyConfigured("WANGGE_FIELD_KEY must be set (outside the demo and WANGGE_DEBUG)")
    if "pytest" not in sys.modules and not DEMO:
        warnings.warn(
            "WANGGE_FIELD_KEY is not set: personal data is encrypted with the public development key. "
            "Set WANGGE_FIELD_KEY (python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())') before storing real data.",
            stacklevel=1,
        )

ALLOWED_HOSTS = [
    h for h in os.getenv("WANGGE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.getenv("WANGGE_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Served over HTTPS (production, behind the proxy that ends TLS): redirect plain HTTP, send cookies over
# HTTPS only, and tell browsers to come back over HTTPS (HSTS). deploy/wangge.env.example turns it on.
HTTPS = envbool("WANGGE_HTTPS", "False")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("WANGGE_HSTS_SECONDS", "31536000" if HTTPS else "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("WANGGE_HSTS_INCLUDE_SUBDOMAINS", str(HTTPS))
SECURE_HSTS_PRELOAD = envbool("WANGGE_HSTS_PRELOAD", str(HTTPS))
if envbool("WANGGE_BEHIND_PROXY", "False"):
    # The proxy says whether the browser came over HTTPS; only set this behind a proxy that overwrites
    # the header, or anyone could claim HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # the proxy's health check speaks plain HTTP to the app server

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "wangge.accounts",
    "wangge.areas",
    "wangge.people",
    "wangge.tickets",
    "wangge.notify",
    "wangge.stats",
    "wangge.routing",
    "wangge.visits",
    "wangge.supplies",
    "wangge.directives",
    "wangge.directory",
    "wangge.points",
    "wangge.lists",
    "wangge.volunteering",
    "wangge.party",
    "wangge.deliberation",
    "wangge.notices",
    "wangge.demo",
    "wangge.ops",
    "wangge.api",
    "wangge.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wangge.web.middleware.RequestSizeMiddleware",
    "wangge.web.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

# A deployment's own tile server for the maps (an {z}/{x}/{y} URL template, e.g.
# https://tiles.example.gov.cn/{z}/{x}/{y}.png, and the attribution its licence asks for). None by default:
# nothing is fetched from outside, and the maps draw their own vector base (outline, streets, communities
# and grids with their names).
MAP_TILES = os.getenv("WANGGE_MAP_TILES", "").strip()
MAP_TILES_ATTRIBUTION = os.getenv("WANGGE_MAP_ATTRIBUTION", "").strip()
MAP_TILES_ORIGIN = "/".join(MAP_TILES.split("/")[:3]) if MAP_TILES.startswith(("https://", "http://")) else ""

# Content-Security-Policy (django-csp): scripts, styles, images and connections from our own origin only,
# nothing inline but style attributes (Leaflet's and ECharts' markup carries them; a style attribute cannot
# run script). Images also from the tile server, when one is configured.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *([MAP_TILES_ORIGIN] if MAP_TILES_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "wangge.urls"
WSGI_APPLICATION = "wangge.wsgi.application"

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
                "wangge.web.context.unread",
                "wangge.web.context.maps",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        os.getenv("WANGGE_DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'wangge.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# tickets.Ticket's ticket_queue INCLUDEs the row id for PostgreSQL; an SQLite index holds the rowid of
# itself, so the column SQLite leaves out (models.W040) is one it already has.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a locked-out login stops here (accounts/lockout.py)
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = "wangge.accounts.lockout.failure_limit"
AXES_LOCKOUT_PARAMETERS = "wangge.accounts.lockout.lockout_parameters"
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("WANGGE_LOCKOUT_MINUTES", "15"))
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "wangge.accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "wangge.accounts.lockout.locked_response"
AXES_VERBOSE = False
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
if "pytest" in sys.modules:
    # Tests create many users; the fast hasher keeps the suite quick. Never used outside tests.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "zh-hans"
# Messages live in the session (the database), not in a cookie: one of them hands over a first password.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# A password a person chooses (修改密码): not short, not common, not all digits, not their name.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = os.getenv("WANGGE_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "wangge" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Uploaded photos (tickets). They are served through scoped views, never as public files.
MEDIA_ROOT = Path(os.getenv("WANGGE_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The whole request body, files included (web.middleware.RequestSizeMiddleware).
MAX_REQUEST_BYTES = envint("WANGGE_MAX_REQUEST_MB", "55") * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Working hours for deadlines ("resolve within 1 working day"); holidays are kept in the database.
WORK_HOURS = os.getenv("WANGGE_WORK_HOURS", "08:30-12:00,13:30-17:30")
try:
    parse_periods(WORK_HOURS)
except ValueError as exc:
    raise ImproperlyConfigured(f"WANGGE_WORK_HOURS: {exc}") from exc
# Where SMS and WeChat messages go: a class with send(phone, text). The default only logs them.
WANGGE_MESSAGE_BACKENDS = {
    "sms": os.getenv("WANGGE_SMS_BACKEND", "wangge.notify.backends.ConsoleBackend"),
    "wechat": os.getenv("WANGGE_WECHAT_BACKEND", "wangge.notify.backends.ConsoleBackend"),
}

SESSION_COOKIE_AGE = envint("WANGGE_SESSION_AGE", str(12 * 3600))

# 智能分拨 (X1): a new ticket without a category takes the router's first guess from this confidence on;
# from ROUTER_DISPATCH_THRESHOLD on, the system accepts it and assigns it to the guessed unit itself.
# A value above 1 turns either off. The worker retrains every ROUTER_RETRAIN_HOURS (0: never).
ROUTER_CATEGORY_THRESHOLD = envfloat("WANGGE_ROUTER_CATEGORY_THRESHOLD", "0.5")
ROUTER_DISPATCH_THRESHOLD = envfloat("WANGGE_ROUTER_DISPATCH_THRESHOLD", "0.9")
ROUTER_RETRAIN_HOURS = envfloat("WANGGE_ROUTER_RETRAIN_HOURS", "24")
ROUTER_MAX_EXAMPLES = envint("WANGGE_ROUTER_MAX_EXAMPLES", "200000")
# 未诉先办 is read once a day per area and renewed by the deadline worker when older than this (0: never
# renewed by the worker; a new day still brings a new reading on first view).
HOTSPOT_REFRESH_HOURS = envfloat("WANGGE_HOTSPOT_REFRESH_HOURS", "6")

# 包户: households each party member looks after (正安's 5—8户, seed 003); an area may set its own
# (party.HouseholdQuota).
PARTY_HOUSEHOLDS = (envint("WANGGE_PARTY_HOUSEHOLDS_MIN", "5"), envint("WANGGE_PARTY_HOUSEHOLDS_MAX", "8"))

# Roles that may reveal a full ID or phone number in their scope; every reveal is logged.
UNMASK_ROLES = os.getenv("WANGGE_UNMASK_ROLES", "grid_head,grid_worker,community_staff").split(",")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("WANGGE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
