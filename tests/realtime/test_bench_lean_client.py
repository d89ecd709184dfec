"""The load generator's own WebSocket client (bench/lean_ws.py) against a real Daphne process:
it must see exactly what a browser sees, or the benches measure something else. A room socket
opens with room.joined, a post is acknowledged and comes back as message.new, a large frame
(a 16-bit length) arrives whole, the closing handshake completes, and a refused handshake is
an error, not a socket."""

import asyncio
import json
import sys

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from tests.live import ROOT
from tests.support.sockets import session_cookie

sys.path.insert(0, str(ROOT / "bench"))
import lean_ws

pytestmark = pytest.mark.django_db(transaction=True)


async def open_lean(server, user, code):
    cookie = await database_sync_to_async(session_cookie)(user)
    return await lean_ws.connect(
        f"{server.url}/ws/cases/{code}/",
        origin=server.url,
        headers=[("Cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}")],
        open_seconds=10,
    )


async def test_a_room_socket_joins_posts_hears_and_closes(live_servers, alice, north_case):
    ws, first = await open_lean(live_servers[0], alice, north_case.code)
    assert json.loads(first)["type"] == "room.joined"
    heard = asyncio.Queue()
    ws.listen(lambda payload: heard.put_nowait(json.loads(payload)))
    body = "a longer note " * 20  # over 125 bytes each way: the 16-bit length form
    ws.send_text(json.dumps({"type": "message.send", "client_id": "lean-1", "body": body}))
    frames = {}
    async with asyncio.timeout(10):
        while not {"message.ack", "message.new"} <= frames.keys():
            frame = await heard.get()
            frames[frame["type"]] = frame
    assert frames["message.ack"]["client_id"] == "lean-1"
    assert frames["message.new"]["message"]["client_id"] == "lean-1"
    assert len(json.dumps(frames["message.new"])) > 125
    await ws.close()
    assert ws.closed.done() and ws.closed.result() == 1000
    with pytest.raises(lean_ws.Closed):
        ws.send_text("{}")


async def test_a_refused_handshake_is_an_error(live_servers, oscar, north_case):
    with pytest.raises(lean_ws.HandshakeRefused, match="HTTP 403"):
        await open_lean(live_servers[0], oscar, north_case.code)  # of another team
