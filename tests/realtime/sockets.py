"""Open any of the three socket routes as a signed-in browser would,
with the headers a test chooses."""

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from consult.asgi import application
from tests.conftest import ORIGIN, session_cookie

ROUTES = ("case room", "notifications", "review room")


def route_path(route, world):
    return {
        "case room": f"/ws/cases/{world.case.code}/",
        "notifications": "/ws/me/",
        "review room": f"/ws/reviews/{world.live.pk}/",
    }[route]


async def open_socket(user, path, *, origins=(ORIGIN,), query=""):
    """(communicator, connected, close code); `origins` are sent as that many Origin headers."""
    headers = [(b"origin", origin) for origin in origins] + [(b"host", b"127.0.0.1:8000")]
    cookie = await database_sync_to_async(session_cookie)(user)
    headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(
        application, path + (f"?{query}" if query else ""), headers=headers
    )
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def first_frame(communicator):
    """The frame each route sends first on admission (room.joined, dashboard.snapshot,
    review.state)."""
    return await communicator.receive_json_from(timeout=5)
