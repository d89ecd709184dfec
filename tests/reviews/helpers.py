from datetime import UTC, datetime

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from consult.asgi import application
from tests.conftest import ORIGIN, session_cookie

WHEN = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)


async def connect_review(user, session_id):
    headers = [(b"origin", ORIGIN), (b"host", b"127.0.0.1:8000")]
    cookie = await database_sync_to_async(session_cookie)(user)
    headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application, f"/ws/reviews/{session_id}/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    return communicator, connected


async def receive_state(communicator, predicate=lambda frame: True, timeout=5):
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == "review.state" and predicate(frame):
            return frame
