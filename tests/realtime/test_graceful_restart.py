"""SIGTERM to a Daphne process: every socket hears 1012 (service restart) rather than a dropped
connection (1006), so browsers reconnect at once to a process that is still up."""

import asyncio
import json
import signal
from pathlib import Path

import pytest

from tests.live import DaphneServer
from tests.support.live_sockets import frames_until_closed, open_live, open_room

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_server(tmp_path):
    server = DaphneServer(tmp_path / "daphne.log")
    yield server
    if server.process.poll() is None:
        server.process.kill()
    server.process.wait()
    server.log.close()


async def test_sigterm_closes_every_socket_with_1012_and_exits(own_server, alice, north_case):
    sockets = [
        await open_room(own_server.url, alice, north_case.code),
        await open_live(own_server.url, "/ws/me/", until="dashboard.snapshot", user=alice),
    ]
    own_server.process.send_signal(signal.SIGTERM)
    closed = await asyncio.gather(*(frames_until_closed(ws, seconds=10) for ws in sockets))
    assert [code for _, code in closed] == [1012, 1012]
    await asyncio.to_thread(own_server.process.wait, 10)
    assert own_server.process.returncode == 0
    own_server.log.flush()
    log = await asyncio.to_thread(Path(own_server.log.name).read_text)
    assert "closing 2 websockets with 1012" in log
    assert "every connection closed after" in log  # flushed before the process ended
    assert json.dumps(north_case.title) not in log
