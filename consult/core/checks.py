from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return [Error("SECRET_KEY is the development key", hint="Set SECRET_KEY.", id="consult.E001")]
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
            Warning("DATABASE_URL is not set: running on SQLite", hint="Use PostgreSQL.", id="consult.W002")
        )
    return problems


@register(Tags.security, deploy=True)
def check_audit_hmac_key(app_configs, **kwargs):
    if settings.AUDIT_HMAC_KEY == settings.DEV_AUDIT_HMAC_KEY:
        return [Error("AUDIT_HMAC_KEY is the development key: anyone can sign audit checkpoints",
                      hint="Set AUDIT_HMAC_KEY to a long random secret kept outside the database.",
                      id="audit.E001")]
    if len(settings.AUDIT_HMAC_KEY) < 32:
        return [Error("AUDIT_HMAC_KEY is shorter than 32 characters", hint="Use a long random secret.",
                      id="audit.E002")]
    return []
