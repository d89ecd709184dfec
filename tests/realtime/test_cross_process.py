"""Two real Daphne processes sharing Redis and PostgreSQL, as in production."""

import asyncio
import json

import pytest
import websockets
from channels.db import database_sync_to_async
from django.conf import settings

from consult.cases.models import Message
from tests.support.sockets import session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]


async def open_room(server, user, code):
    cookie = await database_sync_to_async(session_cookie)(user)
    ws = await websockets.connect(
        server.url.replace("http", "ws") + f"/ws/cases/{code}/",
        origin=server.url,
        # Never stop reading: the close handshake must not wait behind unread frames.
        max_queue=None,
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
    )
    joined = json.loads(await ws.recv())
    assert joined["type"] == "room.joined"
    return ws


async def close_all(sockets):
    """Close, then wait until both servers have let the sockets leave: the test database is
    truncated after the test, and a leave still running then could deadlock with it."""
    from consult.cases.models import Presence

    await asyncio.gather(*(ws.close() for ws in sockets))
    async with asyncio.timeout(10):
        # The rows are in the database: there is nothing to await but polling.
        while await database_sync_to_async(Presence.objects.exists)():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def next_of(ws, frame_type, timeout=10):
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == frame_type:
                return frame


async def test_it_delivers_a_message_posted_through_one_process_to_a_client_on_the_other(
    live_servers, alice, bob, north_case
):
    first, second = live_servers
    bob_ws = await open_room(first, bob, north_case.code)
    alice_ws = await open_room(second, alice, north_case.code)
    for i in range(1, 6):
        await alice_ws.send(
            json.dumps({"type": "message.send", "client_id": f"x{i}", "body": f"update {i}"})
        )
    received = [(await next_of(bob_ws, "message.new"))["message"]["seq"] for _ in range(5)]
    assert received == [1, 2, 3, 4, 5]
    await close_all([alice_ws, bob_ws])


async def test_it_gives_fifty_concurrent_senders_gapless_sequence_numbers(
    live_servers, alice, north_case
):
    sockets = [await open_room(live_servers[i % 2], alice, north_case.code) for i in range(50)]
    await asyncio.gather(
        *(
            ws.send(
                json.dumps({"type": "message.send", "client_id": f"s{i}", "body": f"sender {i}"})
            )
            for i, ws in enumerate(sockets)
        )
    )
    acks = await asyncio.gather(*(next_of(ws, "message.ack") for ws in sockets))

    assert sorted(ack["seq"] for ack in acks) == list(range(1, 51))
    seqs = await database_sync_to_async(
        lambda: list(
            Message.objects.filter(case=north_case).order_by("seq").values_list("seq", flat=True)
        )
    )()
    assert seqs == list(range(1, 51))
    await close_all(sockets)
