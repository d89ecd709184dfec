"""SIGTERM to a Daphne process: every socket hears 1012 (service restart) rather than a dropped
connection (1006), so browsers reconnect at once to a process that is still up."""

import asyncio
import json
import signal
from pathlib import Path

import pytest
import websockets
from channels.db import database_sync_to_async
from django.conf import settings

from tests.live import DaphneServer
from tests.support.sockets import session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def own_server(tmp_path):
    server = DaphneServer(tmp_path / "daphne.log")
    yield server
    if server.process.poll() is None:
        server.process.kill()
    server.process.wait()
    server.log.close()


async def open_socket(server, user, path):
    cookie = await database_sync_to_async(session_cookie)(user)
    ws = await websockets.connect(
        server.url.replace("http", "ws") + path,
        origin=server.url,
        max_queue=None,
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
    )
    await ws.recv()  # room.joined / dashboard.snapshot
    return ws


async def close_code(ws):
    async with asyncio.timeout(10):
        try:
            while True:
                await ws.recv()
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006


async def test_sigterm_closes_every_socket_with_1012_and_exits(own_server, alice, north_case):
    sockets = [
        await open_socket(own_server, alice, f"/ws/cases/{north_case.code}/"),
        await open_socket(own_server, alice, "/ws/me/"),
    ]
    own_server.process.send_signal(signal.SIGTERM)
    assert await asyncio.gather(*(close_code(ws) for ws in sockets)) == [1012, 1012]
    await asyncio.to_thread(own_server.process.wait, 10)
    assert own_server.process.returncode is not None
    own_server.log.flush()
    log = await asyncio.to_thread(Path(own_server.log.name).read_text)
    assert "closing 2 websockets with 1012" in log
    assert json.dumps(north_case.title) not in log
