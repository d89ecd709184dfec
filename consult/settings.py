"""Consult settings: everything comes from the environment.

With nothing set, Consult runs embedded: SQLite and the in-memory channel layer in one
process, so a first run needs nothing but Python. deploy/env.example lists every variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in ("1", "true", "yes", "on")


def envint(name, default):
    return int(
        os.environ.get(name) or default
    )  # set but empty means the default, as in env.example


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# A development key lets `make run` work out of the box; `check --deploy` refuses it (consult.E001).
DEV_SECRET_KEY = "dev-only-insecure-key-set-SECRET_KEY-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "consult.core",
    "consult.ops",
    "consult.accounts",
    "consult.audit",
    "consult.cases",
    "consult.realtime",
    "consult.consumers",
    "consult.deid",
    "consult.records.followups",
    "consult.oncall",
    "consult.records",
    "consult.records.risk",
    "consult.records.safety",
    "consult.records.reviews",
    "consult.records.guidance",
    "consult.emergency",
    "consult.hours",
    "consult.dashboard",
    "consult.scheduler",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "consult.accounts.session_limits.SessionLimitsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "consult.accounts.middleware.MfaGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "consult.core.middleware.SecurityHeadersMiddleware",
    # Last, as axes asks: it turns a refused (locked-out) sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "consult.urls"
ASGI_APPLICATION = "consult.asgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "case-list"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "consult.cases.clinical.context",
            ],
        },
    },
]

# SQLite waits for the write lock instead of failing, and takes it at BEGIN so two writers
# never deadlock upgrading a read lock.
SQLITE_OPTIONS = {
    "timeout": 30,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL;",
}
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'consult.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    (BASE_DIR / "var").mkdir(exist_ok=True)
else:
    # psycopg prepares a statement after this many runs, or at once when asked (prepare=True, as
    # consult/core/prepared.py does for the post and join statements). Django's default, None,
    # switches preparing off altogether, prepare=True included; this leaves it to the asking.
    # DATABASE_URL's query (?sslmode=verify-full&sslrootcert=...) arrives in OPTIONS: keep it.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 1 << 30
    # A database that is away or hung must fail a request within seconds (the socket answers
    # `unavailable`), not hold a thread until the kernel gives up on the TCP connection.
    for option, value in {
        "connect_timeout": envint("DB_CONNECT_TIMEOUT", 5),
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
        "options": f"-c statement_timeout={envint('DB_STATEMENT_TIMEOUT_MS', 15000)}",
    }.items():
        DATABASES["default"]["OPTIONS"].setdefault(option, value)
# The role that owns the tables and runs `migrate` (consult/core/dbroles.py, deploy/README.md);
# DATABASE_URL's role is then the least-privilege runtime role. Unset: migrations run as
# DATABASE_URL's role (development and tests).
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Several Redis hosts (REDIS_URLS, comma separated) are shards: each room and each channel-layer
# group lives on one of them (consult/realtime/shards.py, deploy/README.md "Redis shards"). Set,
# it replaces REDIS_URL, which then names its first host; REDIS_URL alone is one shard; neither
# is the embedded mode (the in-memory layer and the in-process room hub).
REDIS_URLS = tuple(envlist("REDIS_URLS"))
REDIS_URL = REDIS_URLS[0] if REDIS_URLS else os.environ.get("REDIS_URL", "")
CHANNEL_PREFIX = os.environ.get("CHANNEL_PREFIX", "consult")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py's async pool defaults to 100 connections: a burst of handshakes
                # beyond that fails with HTTP 500, so the pool is sized for real bursts.
                # redis-py 8 also times reads out after 5 s by default: exactly the layer's
                # 5 s blocking receive, so an idle socket's consumer died with 1011. Wait longer.
                # channels-redis shards over the hosts itself, by the same hash as the hub.
                "hosts": [
                    {
                        "address": url,
                        "max_connections": envint("REDIS_MAX_CONNECTIONS", 2000),
                        "socket_timeout": 30,
                    }
                    for url in REDIS_URLS or [REDIS_URL]
                ],
                "prefix": CHANNEL_PREFIX,
                "capacity": envint("CHANNEL_CAPACITY", 1000),
                "expiry": 30,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Without Redis no other process can reach a socket, so the web process runs the scheduler too.
EMBEDDED_SCHEDULER = envbool("EMBEDDED_SCHEDULER", not REDIS_URL)

# Login throttling (django-axes): LOGIN_FAILURE_LIMIT failures lock the account, and separately
# the client address, for LOGIN_LOCKOUT_MINUTES. Attempts while locked do not extend the lock.
# An admin unlocks by deleting the account's "access attempts" in Django admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "consult.accounts.lockout.lockout_response"
# Behind nginx (deploy/) the client's address is the one the nearest trusted proxy appended.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "consult.accounts.lockout.client_address"
AXES_VERBOSE = False

# Multi-factor authentication (consult/accounts/mfa.py): roles that must enrol an authenticator app
# before they reach any case; everyone else may. Audit exports and emergency access need a code
# given within MFA_STEP_UP_MINUTES.
MFA_REQUIRED_ROLES = envlist("MFA_REQUIRED_ROLES", "supervisor,admin")
MFA_STEP_UP_MINUTES = envint("MFA_STEP_UP_MINUTES", 15)
OTP_TOTP_ISSUER = "Consult"
# Emergency ("break-glass") access to a case outside one's team lasts this long
# (consult/emergency/).
BREAK_GLASS_MINUTES = envint("BREAK_GLASS_MINUTES", 60)

# Argon2id first: new and changed passwords are hashed with it; older PBKDF2 hashes still
# verify and are upgraded to Argon2 at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Checked by the forms that set a password (change, admin); create_user takes what it is given.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Automatic logoff (consult/accounts/sessions.py): a session ends after SESSION_IDLE_MINUTES
# without activity (pages, forms, frames a person sends on a socket) or SESSION_MAX_HOURS after
# sign-in, whichever comes first; its sockets close with 4001. Fractions are allowed (tests
# use seconds: SESSION_IDLE_MINUTES=0.25). The browser warns SESSION_WARN_SECONDS before.
SESSION_IDLE_SECONDS = int(60 * float(os.environ.get("SESSION_IDLE_MINUTES", 15)))
SESSION_MAX_SECONDS = int(3600 * float(os.environ.get("SESSION_MAX_HOURS", 12)))
SESSION_WARN_SECONDS = envint("SESSION_WARN_SECONDS", 60)
# How often each server process looks for sessions past their deadline, to close their sockets
# even when no request comes.
SESSION_SWEEP_SECONDS = envint("SESSION_SWEEP_SECONDS", 5)
SESSION_SWEEP_IN_SERVER = envbool("SESSION_SWEEP_IN_SERVER", True)
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
SESSION_ENGINE = "consult.accounts.session_engine"  # Django's db engine, its read prepared

# Served over https (by Daphne itself or behind a TLS-terminating proxy such as deploy/nginx):
# the default whenever DEBUG is off. `make run`, the tests and the local cluster serve plain
# http on localhost and set HTTPS=0. It switches on the redirect to https, HSTS and secure
# cookies; each can still be set on its own below.
HTTPS = envbool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", HTTPS)
# Probes and scrapers call a process directly over plain http: answer them there,
# not with a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# The load balancer probes the processes directly over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("HSTS_INCLUDE_SUBDOMAINS", HTTPS)
# Only the header's preload flag: submitting the domain to browsers' preload list is a separate,
# deliberate step (https://hstspreload.org).
SECURE_HSTS_PRELOAD = envbool("HSTS_PRELOAD", HTTPS)
# The proxy in front says which scheme the browser used (deploy/nginx sets X-Forwarded-Proto).
# Trust it only when every request comes through that proxy: a client could send it directly.
if envbool("TRUST_X_FORWARDED_PROTO", HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Every page: scripts, styles and everything else only from our own origin; no inline script,
# style or event handler anywhere (frontend/templates keep none). 'self' covers the page's own
# ws:/wss: origin for the sockets (CSP Level 3). consult/core/middleware.py sends it.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "frontend" / "static"]
STATIC_ROOT = os.environ.get("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
# Daphne serves static files itself unless nginx does (SERVE_STATIC=0 behind nginx).
SERVE_STATIC = envbool("SERVE_STATIC", True)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "consult@localhost")

# /metrics answers only with `Authorization: Bearer <this>`; unset, it is not served at all.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# Room protocol limits (docs/protocol.md).
MESSAGE_MAX_BYTES = 16 * 1024
FRAME_MAX_BYTES = 64 * 1024
# Daphne's own limit (consult/server/__main__.py): a larger frame or message is closed with 1009
# before the application sees it; between FRAME_MAX_BYTES and this, a typed frame_too_large error.
WS_MAX_MESSAGE_BYTES = envint("WS_MAX_MESSAGE_BYTES", 1024 * 1024)
# Pages allowed to open sockets: origins compared on scheme, host and port (consult/realtime/
# origins.py). Empty: SITE_URL's origin and each ALLOWED_HOSTS name on SITE_URL's port.
ALLOWED_ORIGINS = envlist("ALLOWED_ORIGINS")
# Flood control per socket (docs/protocol.md): a token bucket of WS_FRAME_BURST frames refilled at
# WS_FRAMES_PER_SECOND; past it a frame gets `rate_limited`, and WS_FLOOD_CLOSE_AFTER refused
# frames in a row close the socket (4429). One user may hold WS_MAX_SOCKETS_PER_USER sockets per
# process.
WS_FRAMES_PER_SECOND = float(os.environ.get("WS_FRAMES_PER_SECOND", "10"))
WS_FRAME_BURST = envint("WS_FRAME_BURST", 30)
WS_FLOOD_CLOSE_AFTER = envint("WS_FLOOD_CLOSE_AFTER", 20)
WS_MAX_SOCKETS_PER_USER = envint("WS_MAX_SOCKETS_PER_USER", 20)
HISTORY_PAGE_SIZE = 100
# Threads per process for the database work of sockets (consult/realtime/workers.py).
DB_THREADS = envint("DB_THREADS", 2)
# A socket's database call that takes longer is answered `unavailable` (a hung database).
DB_CALL_TIMEOUT_SECONDS = envint("DB_CALL_TIMEOUT_SECONDS", 8)
# How long a socket handshake's database work (sign-in, room join) may wait for a database thread
# before DB_CALL_TIMEOUT_SECONDS starts: in a reconnect storm joins queue behind each other, and a
# refused one comes back as a whole new handshake (consult/realtime/workers.py).
HANDSHAKE_QUEUE_SECONDS = envint("HANDSHAKE_QUEUE_SECONDS", 30)
GIL_SWITCH_INTERVAL = float(os.environ.get("GIL_SWITCH_INTERVAL", "0.005"))
# The server's garbage collector thresholds (consult/server/tuning.py); Python's are 700,10,10.
GC_THRESHOLDS = tuple(int(n) for n in os.environ.get("GC_THRESHOLDS", "20000,50,100").split(","))
GC_FULL_COLLECT_SECONDS = float(os.environ.get("GC_FULL_COLLECT_SECONDS", "1"))
GC_FULL_COLLECT_AFTER_CLOSES = envint("GC_FULL_COLLECT_AFTER_CLOSES", 500)
GC_FULL_COLLECT_MAX_SECONDS = float(os.environ.get("GC_FULL_COLLECT_MAX_SECONDS", "600"))
# The server logs where its event loop is when it has not run this long (0: not watched;
# consult/server/stalls.py).
LOOP_STALL_LOG_MS = envint("LOOP_STALL_LOG_MS", 150)
PRESENCE_TTL_SECONDS = 90

# Audit trail (docs/audit.md): stream heads are signed with this key, which must live outside
# the database. The development key lets `make run` work; `check --deploy` refuses it (audit.E001).
DEV_AUDIT_HMAC_KEY = "dev-only-audit-key-set-AUDIT_HMAC_KEY-in-production"
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", DEV_AUDIT_HMAC_KEY)
AUDIT_CHECKPOINT_EVERY = envint("AUDIT_CHECKPOINT_EVERY", 50)

# Webhooks (paging gateways, consult/oncall/webhooks.py). Each delivery is signed with this key
# (HMAC-SHA256 over the timestamp and the body, header X-Consult-Signature); receivers hold the
# same key. The development key lets `make run` work; `check --deploy` refuses it (consult.E003).
DEV_WEBHOOK_SIGNING_SECRET = "dev-only-webhook-key-set-WEBHOOK_SIGNING_SECRET-in-production"
WEBHOOK_SIGNING_SECRET = os.environ.get("WEBHOOK_SIGNING_SECRET", DEV_WEBHOOK_SIGNING_SECRET)
# https only; plain http only when this is on (a receiver on a developer's machine).
WEBHOOK_ALLOW_HTTP = envbool("WEBHOOK_ALLOW_HTTP", False)
# Host names or addresses (or networks, 10.0.0.0/8) a webhook may reach although they resolve to
# loopback, private or link-local addresses; everything else inside is refused (no SSRF).
WEBHOOK_ALLOWED_HOSTS = envlist("WEBHOOK_ALLOWED_HOSTS")
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))

# Logs carry ids and error codes, never clinical text: no handler logs request bodies or frames.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_in_one_line": {"()": "consult.core.logs.RefusalsInOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["refusals_in_one_line"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "daphne": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django.channels.server": {"level": "WARNING"},
    },
}
