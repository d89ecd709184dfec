"""Redis going away is a degraded mode, not an outage: sockets stay open and are told
`degraded`, posts are still stored and acknowledged, a handshake still succeeds, and when Redis
is back every socket is told `live` and live delivery resumes; a revocation sent while Redis was
away is applied on recovery from the database.

Runs on a Redis this test owns (stopped and started again on the same port)."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from consult.accounts.models import Membership
from consult.asgi import application
from consult.cases.models import Message
from consult.realtime import hub
from tests.oncall.conftest import rota  # noqa: F401 - bob on call, dave backup
from tests.realtime.own_redis import OwnRedis
from tests.support.sockets import ORIGIN, connect, joined, receive_until, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_of_our_own(settings, monkeypatch):
    redis = OwnRedis()
    settings.REDIS_URL = redis.url
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": redis.url, "socket_timeout": 30}],
                "prefix": settings.CHANNEL_PREFIX,
                "expiry": 30,
            },
        }
    }
    monkeypatch.setattr(hub, "_clients", {})
    yield redis
    redis.stop()


async def personal_socket(user):
    cookie = await database_sync_to_async(session_cookie)(user)
    ws = WebsocketCommunicator(
        application,
        "/ws/me/",
        headers=[
            (b"origin", ORIGIN),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
    )
    connected, _ = await ws.connect(timeout=5)
    assert connected
    assert (await ws.receive_json_from(timeout=5))["type"] == "dashboard.snapshot"
    return ws


async def test_sockets_ride_out_a_redis_restart(redis_of_our_own, alice, carol, north_case):
    alice_ws, _ = await joined(alice, north_case.code)
    carol_ws, _ = await joined(carol, north_case.code)
    me_ws = await personal_socket(alice)

    await asyncio.to_thread(redis_of_our_own.stop)
    for ws in (alice_ws, carol_ws, me_ws):
        assert await receive_until(ws, "degraded", seconds=10) == {"type": "degraded"}

    await alice_ws.send_json_to(
        {"type": "message.send", "client_id": "while-away", "body": "Stored anyway."}
    )
    ack = await receive_until(alice_ws, "message.ack")
    assert ack["seq"] == 1
    assert await database_sync_to_async(Message.objects.filter(client_id="while-away").exists)()
    await carol_ws.send_json_to({"type": "ping"})
    assert await receive_until(carol_ws, "pong") == {"type": "pong"}
    late_ws, late_joined = await joined(carol, north_case.code)  # a handshake while Redis is away
    assert [m["seq"] for m in late_joined["messages"]] == [1]

    await asyncio.to_thread(redis_of_our_own.start)
    for ws in (alice_ws, carol_ws, me_ws, late_ws):
        assert await receive_until(ws, "live", seconds=10) == {"type": "live"}
    await alice_ws.send_json_to(
        {"type": "message.send", "client_id": "after", "body": "Live again."}
    )
    assert (await receive_until(carol_ws, "message.new"))["message"]["client_id"] == "after"
    # Fresh handshakes after the restart (the channel layer's pooled connections all broke):
    # they open at once, and live.
    for attempt in range(3):
        fresh_ws, _ = await asyncio.wait_for(joined(carol, north_case.code), timeout=5)
        client_id = f"fresh-{attempt}"
        await alice_ws.send_json_to(
            {"type": "message.send", "client_id": client_id, "body": "Again."}
        )
        assert (await receive_until(fresh_ws, "message.new"))["message"]["client_id"] == client_id
        await fresh_ws.disconnect()
    for ws in (alice_ws, carol_ws, me_ws, late_ws):
        await ws.disconnect()


async def test_a_revocation_lost_with_redis_is_applied_when_it_is_back(
    redis_of_our_own, alice, carol, north_case
):
    carol_ws, _ = await joined(carol, north_case.code)
    await asyncio.to_thread(redis_of_our_own.stop)
    await receive_until(carol_ws, "degraded", seconds=10)
    # Removed while Redis is away: the revocation reaches no hub.
    await database_sync_to_async(Membership.objects.filter(user=carol).delete)()
    await asyncio.to_thread(redis_of_our_own.start)
    output = await carol_ws.receive_output(timeout=10)
    while output["type"] != "websocket.close":
        output = await carol_ws.receive_output(timeout=10)
    assert output["code"] == 4403
    _, connected, _ = await connect(carol, north_case.code)
    assert not connected


@pytest.mark.usefixtures("rota")
async def test_an_urgent_consult_raised_while_redis_is_away_reaches_the_supervisor_when_it_is_back(
    redis_of_our_own, alice, bob, north_case
):
    from django.test import Client

    bob_ws = await personal_socket(bob)
    await asyncio.to_thread(redis_of_our_own.stop)
    assert await receive_until(bob_ws, "degraded", seconds=10) == {"type": "degraded"}

    def raise_consult():
        client = Client()
        client.force_login(alice)
        return client.post(
            "/consults/new/",
            {"kind": "urgent", "case": north_case.code, "question": "Plan disclosed."},
        )

    response = await database_sync_to_async(raise_consult)()
    assert response.status_code == 201
    consult_id = response.json()["consult"]["id"]

    await asyncio.to_thread(redis_of_our_own.start)
    back = asyncio.get_running_loop().time()
    snapshot = await receive_until(bob_ws, "dashboard.snapshot", seconds=10)
    assert asyncio.get_running_loop().time() - back < 5
    assert [page["consult_id"] for page in snapshot["pages"]] == [consult_id]
    assert await receive_until(bob_ws, "live") == {"type": "live"}
    await bob_ws.disconnect()
