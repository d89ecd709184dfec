"""/healthz, /readyz and /metrics: for the load balancer and the scraper, never for people.

/healthz says the process answers. /readyz says whether this process can serve: the database
and (when configured) Redis each answer within a second; 503 names which one did not.
/metrics needs `Authorization: Bearer $METRICS_TOKEN`, and is not served at all without one.
"""

import hmac

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseNotFound, JsonResponse
from django.views.decorators.cache import never_cache

from consult.ops import metrics, sql

PROBE_TIMEOUT_SECONDS = 1


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    checks = {"database": _database_state(), "redis": _redis_state()}
    ready = all(state in ("ok", "not configured") for state in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


@never_cache
def metrics_view(request):
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        return HttpResponseNotFound()
    return HttpResponse(
        metrics.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8"
    )


def _database_state():
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.PING)
        return "ok"
    except Exception as error:  # noqa: BLE001 - any failure means not ready; the type says which
        connection.close_if_unusable_or_obsolete()
        return f"unavailable ({type(error).__name__})"


def _redis_state():
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
        socket_timeout=PROBE_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
        return "ok"
    except Exception as error:  # noqa: BLE001
        return f"unavailable ({type(error).__name__})"
    finally:
        client.close()
