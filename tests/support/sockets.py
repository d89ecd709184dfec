"""In-process sockets, opened as a signed-in browser would (the ASGI app, no server).

A check that a socket received *nothing* must not pass because the frame was merely late: a test
sends a marker after the action, through the same path the unwanted frame would take, and reads
up to it with frames_before(). Whatever the action caused arrives before the marker.
"""

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from consult.asgi import application

ORIGIN = b"http://127.0.0.1:8000"
TIMEOUT = 5


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def open_socket(user, path, *, origins=(ORIGIN,), query="", cookie=None):
    """(communicator, connected, close code) of a socket to `path` as `user` (or with the session
    cookie `cookie` of a sign-in the test made; neither: anonymous). `origins` are sent as that
    many Origin headers."""
    headers = [(b"origin", origin) for origin in origins] + [(b"host", b"127.0.0.1:8000")]
    if user is not None or cookie is not None:
        cookie = cookie or await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(
        application, path + (f"?{query}" if query else ""), headers=headers
    )
    connected, close_code = await communicator.connect(timeout=TIMEOUT)
    return communicator, connected, close_code


async def connect(user, code, *, after_seq=None, origin=ORIGIN, cookie=None):
    """Open a case-room socket as `user`; (communicator, connected, close code)."""
    query = f"after_seq={after_seq}" if after_seq is not None else ""
    return await open_socket(
        user, f"/ws/cases/{code}/", origins=(origin,), query=query, cookie=cookie
    )


async def joined(user, code, **kwargs):
    """Connect and read the room.joined frame; fails the test if the socket is refused."""
    communicator, connected, _ = await connect(user, code, **kwargs)
    assert connected
    frame = await communicator.receive_json_from(timeout=TIMEOUT)
    assert frame["type"] == "room.joined"
    await receive_until(communicator, "presence")  # the room hears of our arrival, we included
    return communicator, frame


async def receive_until(communicator, frame_type, predicate=lambda frame: True, *, seconds=TIMEOUT):
    """Next frame of a type (that `predicate` accepts), skipping the frames before it."""
    while True:
        frame = await communicator.receive_json_from(timeout=seconds)
        if frame["type"] == frame_type and predicate(frame):
            return frame


async def frames_before(communicator, frame_type, predicate=lambda frame: True):
    """The types of the frames that arrive before the marker: the next `frame_type` frame that
    `predicate` accepts. Presence and read updates, which interleave with anything, are left out.
    """
    before = []
    while True:
        frame = await communicator.receive_json_from(timeout=TIMEOUT)
        if frame["type"] == frame_type and predicate(frame):
            return before
        if frame["type"] not in ("presence", "read.updated"):
            before.append(frame["type"])


async def connect_review(user, session_id):
    """(communicator, connected) of a review-room socket as `user`."""
    communicator, connected, _ = await open_socket(user, f"/ws/reviews/{session_id}/")
    return communicator, connected


async def receive_state(communicator, predicate=lambda frame: True):
    """The next review.state frame that `predicate` accepts."""
    return await receive_until(communicator, "review.state", predicate)


async def closed_with(communicator):
    """The code the server closed the socket with, skipping the frames before."""
    while True:
        output = await communicator.receive_output(timeout=TIMEOUT)
        if output["type"] == "websocket.close":
            return output["code"]


ROUTES = ("case room", "notifications", "review room")


def route_path(route, world):
    """The path of a route in a tests/records/world.py World."""
    return {
        "case room": f"/ws/cases/{world.case.code}/",
        "notifications": "/ws/me/",
        "review room": f"/ws/reviews/{world.live.pk}/",
    }[route]


async def first_frame(communicator):
    """The frame each route sends first on admission (room.joined, dashboard.snapshot,
    review.state)."""
    return await communicator.receive_json_from(timeout=TIMEOUT)


async def sent_after_close(communicator):
    """Everything a consumer sent after it closed the socket, read once it has ended (after the
    client's side of the close), so nothing can still be on its way."""
    await communicator.send_input({"type": "websocket.disconnect", "code": 1000})
    await communicator.wait(timeout=TIMEOUT)
    sent = []
    while not communicator.output_queue.empty():
        sent.append(communicator.output_queue.get_nowait())
    return sent
