"""Through a real Daphne process: a frame over the app's 64 KiB limit gets a typed error and the
socket stays open; one over Daphne's explicit limit (WS_MAX_MESSAGE_BYTES, 1 MiB) is closed with
1009 "message too big", not a dropped connection. alice uses her notification socket."""

import asyncio
import json

import pytest
import websockets

from consult.realtime.protocol import WS_CLOSE_MESSAGE_TOO_BIG
from tests.support.live_sockets import open_live

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_frame_over_the_apps_limit_is_refused_and_the_socket_stays(live_servers, alice):
    ws = await open_live(
        live_servers[0].url, "/ws/me/", until="dashboard.snapshot", user=alice, max_size=None
    )
    await ws.send(json.dumps({"type": "ping", "pad": "x" * 100_000}))
    assert json.loads(await ws.recv())["code"] == "frame_too_large"
    await ws.send(json.dumps({"type": "ping"}))
    assert json.loads(await ws.recv()) == {"type": "pong"}
    await ws.close()


async def test_a_two_mebibyte_frame_is_closed_with_1009(live_servers, alice):
    ws = await open_live(
        live_servers[0].url, "/ws/me/", until="dashboard.snapshot", user=alice, max_size=None
    )
    await ws.send("x" * (2 * 1024 * 1024))
    async with asyncio.timeout(10):
        with pytest.raises(websockets.ConnectionClosed):
            while True:
                await ws.recv()
    assert ws.close_code == WS_CLOSE_MESSAGE_TOO_BIG
