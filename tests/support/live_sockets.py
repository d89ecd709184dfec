"""Sockets to live servers (tests/live.py's Daphne processes, the cluster's nginx): real
websockets clients, for the tests that need more than one process."""

import asyncio
import json
import time

import websockets
from channels.db import database_sync_to_async
from django.conf import settings

from tests.support.sockets import session_cookie

SECONDS = 10


async def open_live(url, path, *, until, user=None, cookie=None, **options):
    """A socket to `path` on the server at `url` as `user` (or with the session cookie `cookie`),
    read up to and including its first frame of type `until` (room.joined, dashboard.snapshot,
    review.state). `options` go to websockets.connect."""
    cookie = cookie or await database_sync_to_async(session_cookie)(user)
    ws = await websockets.connect(
        url.replace("http", "ws") + path,
        origin=url,
        # Never stop reading: the close handshake must not wait behind unread frames.
        max_queue=None,
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
        **options,
    )
    await next_of(ws, until)
    return ws


async def open_room(url, user, code):
    """A case-room socket on a live server, past room.joined."""
    return await open_live(url, f"/ws/cases/{code}/", until="room.joined", user=user)


async def next_of(ws, frame_type, *, seconds=SECONDS):
    """The next frame of a type, skipping the frames before it."""
    async with asyncio.timeout(seconds):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == frame_type:
                return frame


async def frames_until_closed(ws, *, seconds=5):
    """Every frame the socket still receives, and the code it was closed with (None when the
    connection dropped without a close frame); fails after `seconds`."""
    frames = []
    async with asyncio.timeout(seconds):
        try:
            while True:
                frames.append(json.loads(await ws.recv()))
        except websockets.ConnectionClosed as closed:
            return frames, closed.rcvd.code if closed.rcvd else None


async def close_all(sockets, *, seconds=SECONDS):
    """Close, then give the servers time to let the sockets leave: the test database is
    truncated after the test, and a leave still running then could deadlock with it (a flush
    that still meets one is retried: tests/conftest.py)."""
    await asyncio.gather(*(ws.close() for ws in sockets))
    await rooms_left(seconds=seconds)


async def rooms_left(*, seconds=SECONDS):
    """Wait (up to `seconds`) until no socket of any server is in a room."""
    from consult.cases.models import Presence

    deadline = time.monotonic() + seconds
    # The rows are in the database, left by other processes: nothing to await but polling.
    while await database_sync_to_async(Presence.objects.exists)() and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
