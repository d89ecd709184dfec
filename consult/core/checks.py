from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import connections


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return [
            Error("SECRET_KEY is the development key", hint="Set SECRET_KEY.", id="consult.E001")
        ]
    return []


@register(deploy=True)
def check_production_services(app_configs, **kwargs):
    problems = []
    if not settings.REDIS_URL:
        problems.append(
            Warning(
                "REDIS_URL is not set: the in-memory channel layer only works in one process",
                hint="Set REDIS_URL when running more than one Daphne process.",
                id="consult.W001",
            )
        )
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(
            Warning(
                "DATABASE_URL is not set: running on SQLite",
                hint="Use PostgreSQL.",
                id="consult.W002",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def check_audit_hmac_key(app_configs, **kwargs):
    if settings.AUDIT_HMAC_KEY == settings.DEV_AUDIT_HMAC_KEY:
        return [
            Error(
                "AUDIT_HMAC_KEY is the development key: anyone can sign audit checkpoints",
                hint="Set AUDIT_HMAC_KEY to a long random secret kept outside the database.",
                id="audit.E001",
            )
        ]
    if len(settings.AUDIT_HMAC_KEY) < 32:
        return [
            Error(
                "AUDIT_HMAC_KEY is shorter than 32 characters",
                hint="Use a long random secret.",
                id="audit.E002",
            )
        ]
    return []


# deploy/env.example writes this into every secret: a copied file must not pass as configured.
PLACEHOLDER = "change-me"


@register(Tags.security, deploy=True)
def check_no_placeholders(app_configs, **kwargs):
    secrets = {
        "SECRET_KEY": settings.SECRET_KEY,
        "AUDIT_HMAC_KEY": settings.AUDIT_HMAC_KEY,
        "WEBHOOK_SIGNING_SECRET": settings.WEBHOOK_SIGNING_SECRET,
        "REDIS_URL": settings.REDIS_URL,
        "REDIS_URLS": ",".join(settings.REDIS_URLS),
        "DATABASE_URL": settings.DATABASES["default"].get("PASSWORD") or "",
        "DATABASE_OWNER_URL": settings.DATABASE_OWNER_URL,
        "METRICS_TOKEN": settings.METRICS_TOKEN,
    }
    return [
        Error(
            f"{name} still holds the placeholder from deploy/env.example",
            hint="deploy/env.example says how to generate each secret.",
            id="consult.E002",
        )
        for name, value in secrets.items()
        if PLACEHOLDER in str(value).lower()
    ]


@register(Tags.security, deploy=True)
def check_webhook_signing_secret(app_configs, **kwargs):
    secret = settings.WEBHOOK_SIGNING_SECRET
    if secret == settings.DEV_WEBHOOK_SIGNING_SECRET:
        return [
            Error(
                "WEBHOOK_SIGNING_SECRET is the development key: anyone can forge pages to the "
                "gateway",
                hint="Set WEBHOOK_SIGNING_SECRET and give the same value to the receiver.",
                id="consult.E003",
            )
        ]
    if len(secret) < 32:
        return [
            Error(
                "WEBHOOK_SIGNING_SECRET is shorter than 32 characters",
                hint="Use a long random secret.",
                id="consult.E004",
            )
        ]
    if settings.WEBHOOK_ALLOW_HTTP:
        return [
            Warning("WEBHOOK_ALLOW_HTTP is on: pages may leave in plain http", id="consult.W003")
        ]
    return []


@register(Tags.database)
def check_autovacuum(app_configs=None, databases=None, **kwargs):
    """Run by `migrate` and `check --database default`: with autovacuum off, PostgreSQL's planner
    statistics go stale as tables grow, and the hot paths' prepared statements get plans made
    for tables a hundredth of their size (a room join's team list scanned every user: its
    database CPU went from 0.7 to 1.9 ms, bench/idle_sockets.py)."""
    if not databases:
        return []
    return [
        problem
        for alias in databases
        if connections[alias].vendor == "postgresql"
        for problem in autovacuum_problems(alias, _setting(connections[alias], "autovacuum"))
    ]


def autovacuum_problems(alias, autovacuum):
    if autovacuum == "on":
        return []
    return [
        Warning(
            f"autovacuum is {autovacuum} on database {alias!r}: its planner statistics go stale",
            hint="Turn autovacuum on (postgresql.conf), or run ANALYZE after every bulk load "
            "and regularly (deploy/README.md).",
            id="consult.W003",
        )
    ]


def _setting(connection, name):
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]
