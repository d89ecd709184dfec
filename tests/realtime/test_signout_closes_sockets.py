import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client

from consult.realtime.protocol import WS_CLOSE_SESSION_ENDED
from tests.support.sockets import ORIGIN, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def test_it_closes_the_sessions_sockets_at_sign_out(alice, north_case):
    from channels.testing import WebsocketCommunicator

    from consult.asgi import application

    client = Client()
    await database_sync_to_async(client.force_login)(alice)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    ws = WebsocketCommunicator(
        application,
        f"/ws/cases/{north_case.code}/",
        headers=[
            (b"origin", ORIGIN),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
    )
    assert (await ws.connect())[0]
    await receive_until(ws, "room.joined")
    await receive_until(ws, "presence")

    response = await database_sync_to_async(client.post)("/logout/")
    assert response.status_code == 302
    assert await ws.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": WS_CLOSE_SESSION_ENDED,
    }

    again = WebsocketCommunicator(
        application,
        f"/ws/cases/{north_case.code}/",
        headers=[
            (b"origin", ORIGIN),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
    )
    assert not (await again.connect())[0]  # the old session cookie opens nothing
