"""Flood control: one socket sending far past its budget is told to slow down, then closed, and no
more than its budget is stored; one user cannot open more than the cap of sockets.
alice is a North therapist with the North case open; bob, a North supervisor, shares the room."""

import asyncio
import time

import orjson
import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from consult.cases.models import Message
from consult.realtime.limits import TokenBucket
from consult.realtime.protocol import WS_CLOSE_RATE_LIMITED
from tests.support.sockets import first_frame, joined, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def drain(communicator, timeout=10):
    """Every frame until the socket closes: (frames, close code)."""
    frames = []
    async with asyncio.timeout(timeout):
        while True:
            output = await communicator.receive_output(timeout=timeout)
            if output["type"] == "websocket.close":
                return frames, output.get("code")
            frames.append(output)


async def test_a_socket_sending_a_thousand_frames_a_second_is_limited_then_closed(
    alice, north_case
):
    ws, _ = await joined(alice, north_case.code)
    started = time.monotonic()
    for n in range(3000):  # 1,000 frames/s for 3 s
        await ws.send_json_to({"type": "message.send", "client_id": f"f{n}", "body": f"flood {n}"})
        if n % 10 == 9:
            await asyncio.sleep(max(0, started + (n + 1) / 1000 - time.monotonic()))
    frames, code = await drain(ws)
    elapsed = time.monotonic() - started
    frames = [orjson.loads(f["text"]) for f in frames if "text" in f]
    limited = [f for f in frames if f["type"] == "error" and f["code"] == "rate_limited"]
    acks = [f for f in frames if f["type"] == "message.ack"]
    stored = await database_sync_to_async(Message.objects.filter(case=north_case).count)()
    assert code == WS_CLOSE_RATE_LIMITED
    assert len(limited) == settings.WS_FLOOD_CLOSE_AFTER
    assert all(
        f["retry_after"] > 0 and f["request"] == "message.send" and f["client_id"] for f in limited
    )
    # The budget: the burst, then the rate for as long as the socket lived (about the 3 s of the
    # flood; longer when the server took longer to get through the frames it had accepted).
    budget = settings.WS_FRAME_BURST + settings.WS_FRAMES_PER_SECOND * max(3, elapsed)
    assert settings.WS_FRAME_BURST <= stored == len(acks) <= budget


async def test_a_client_that_waits_retry_after_is_served_again(alice, north_case, settings):
    settings.WS_FRAME_BURST, settings.WS_FRAMES_PER_SECOND = 2, 20
    ws, _ = await joined(alice, north_case.code)
    for _ in range(3):
        await ws.send_json_to({"type": "ping"})
    answers = [await ws.receive_json_from(timeout=5) for _ in range(3)]
    assert [a["type"] for a in answers] == ["pong", "pong", "error"]
    assert (answers[2]["code"], answers[2]["request"]) == ("rate_limited", "ping")
    await asyncio.sleep(answers[2]["retry_after"])
    await ws.send_json_to({"type": "ping"})
    assert await ws.receive_json_from(timeout=5) == {"type": "pong"}
    await ws.disconnect()


async def test_the_twenty_first_socket_of_one_user_is_refused(alice, bob):
    cap = settings.WS_MAX_SOCKETS_PER_USER
    sockets = []
    for _ in range(cap):
        communicator, connected, _ = await open_socket(alice, "/ws/me/")
        assert connected
        await first_frame(communicator)
        sockets.append(communicator)
    _, connected, _ = await open_socket(alice, "/ws/me/")
    assert not connected  # the 21st
    other, bob_connected, _ = await open_socket(bob, "/ws/me/")
    assert bob_connected  # another user is not affected
    await sockets.pop().disconnect()
    again, connected_again, _ = await open_socket(alice, "/ws/me/")
    assert connected_again  # a closed socket gives its place back
    for communicator in [*sockets, other, again]:
        await communicator.disconnect()


def test_the_bucket_spends_its_burst_then_refills_at_its_rate():
    now = [100.0]
    bucket = TokenBucket(rate=10, burst=3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [0, 0, 0, pytest.approx(0.1)]
    now[0] += 0.05
    assert bucket.take() == pytest.approx(0.05)
    now[0] += 0.05
    assert bucket.take() == 0
    now[0] += 60
    assert [bucket.take() for _ in range(4)] == [
        0,
        0,
        0,
        pytest.approx(0.1),
    ]  # never more than the burst
