"""/healthz, /readyz and /metrics: for the load balancer and the scraper, never for people.

/healthz says the process answers. /readyz says whether this process can serve: the database
and (when configured) Redis each answer within a second; 503 names which one did not. With Redis
shards (REDIS_URLS) each is reported (`redis.0`, `redis.1`...): one away leaves the process ready
but `degraded` (only that shard's rooms wait for it), all away is 503.
/metrics needs `Authorization: Bearer $METRICS_TOKEN`, and is not served at all without one.
"""

import hmac

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseNotFound, JsonResponse
from django.views.decorators.cache import never_cache

from consult.ops import metrics, sql
from consult.realtime.shards import redis_urls

PROBE_TIMEOUT_SECONDS = 1


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    up = ("ok", "not configured")
    shards = _redis_states()
    checks = {"database": _database_state(), **shards}
    ready = checks["database"] == "ok" and any(state in up for state in shards.values())
    status = "unavailable"
    if ready:
        status = "ok" if all(state in up for state in checks.values()) else "degraded"
    return JsonResponse({"status": status, "checks": checks}, status=200 if ready else 503)


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


def _redis_states():
    """{"redis": state}, or one `redis.<shard>` each for several shards (never the URL: it may
    hold a password)."""
    urls = redis_urls()
    if not urls:
        return {"redis": "not configured"}
    if len(urls) == 1:
        return {"redis": _redis_state(urls[0])}
    return {f"redis.{index}": _redis_state(url) for index, url in enumerate(urls)}


def _redis_state(url):
    import redis

    client = redis.Redis.from_url(
        url,
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
