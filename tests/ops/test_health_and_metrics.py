"""/healthz, /readyz and /metrics: what a load balancer and a scraper see.

A Redis this test owns (its own redis-server on a free port) is stopped to show /readyz
reporting it; the shared Redis is never touched.
"""

import socket

import pytest
from django.db import OperationalError
from django.test import Client

from consult.ops import metrics
from tests.realtime.own_redis import OwnRedis
from tests.support.sockets import joined, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_redis():
    redis = OwnRedis()
    yield redis
    redis.stop()


def test_healthz_answers_anonymous_without_touching_anything():
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_reports_a_stopped_redis(settings, own_redis):
    settings.REDIS_URL = own_redis.url
    ready = Client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
    own_redis.stop()
    stopped = Client().get("/readyz")
    assert stopped.status_code == 503
    assert stopped.json()["checks"]["database"] == "ok"
    assert stopped.json()["checks"]["redis"].startswith("unavailable")


def test_readyz_reports_each_redis_shard_and_stays_ready_with_one_away(settings, own_redis):
    url = own_redis.url
    away = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.REDIS_URLS = (url, away)
    settings.REDIS_URL = url
    ready = Client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    checks = ready.json()["checks"]
    assert checks["database"] == "ok" and checks["redis.0"] == "ok"
    assert checks["redis.1"].startswith("unavailable")
    settings.REDIS_URLS = (away, away)
    assert Client().get("/readyz").status_code == 503


def test_readyz_reports_an_unreachable_database(monkeypatch):
    from consult.ops import views

    class Down:
        def __enter__(self):
            raise OperationalError("connection refused")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(views.connection, "cursor", lambda: Down())
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable (OperationalError)"


def test_metrics_are_not_served_without_the_token(settings):
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-token"
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


def sample(name, **labels):
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def test_metrics_count_a_post_and_its_socket(settings, alice, north_case):
    settings.METRICS_TOKEN = "s3cret-token"
    acked, sent = (
        sample("consult_posts_acked_total"),
        sample("consult_frames_in_total", type="message.send"),
    )
    ws, _ = await joined(alice, north_case.code)
    assert sample("consult_sockets_open", route="CaseRoomConsumer") >= 1
    await ws.send_json_to(
        {"type": "message.send", "client_id": "m-1", "body": "Plan reviewed in supervision."}
    )
    await receive_until(ws, "message.ack")
    assert sample("consult_posts_acked_total") == acked + 1
    assert sample("consult_frames_in_total", type="message.send") == sent + 1
    await ws.disconnect()
    from asgiref.sync import sync_to_async

    body = (
        await sync_to_async(Client().get)("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    ).content.decode()
    assert "consult_posts_acked_total" in body and "Plan reviewed" not in body
