"""A frame that reaches the server after access ended, before the close did, changes nothing.

The revocation is on its way (consult/realtime/revocation.py); these tests make the database
change WITHOUT it (QuerySet.update sends no signal), as if the frame had overtaken the close:
the query that authorises the frame must refuse it on its own.

alice (therapist in North) has the North case room open.
"""

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from consult.accounts.models import Role, User, UserSession
from consult.cases.models import Message
from consult.realtime.protocol import WS_CLOSE_ACCESS_LOST
from tests.support.sockets import joined, receive_until

pytestmark = pytest.mark.django_db(transaction=True)

CHANGES = {
    "deactivated": lambda alice: User.objects.filter(pk=alice.pk).update(is_active=False),
    "role_changed": lambda alice: User.objects.filter(pk=alice.pk).update(role=Role.PEER),
    "session_ended": lambda alice: UserSession.objects.filter(user=alice).update(
        ended_at=timezone.now()
    ),
}


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize(
    "frame",
    [
        {
            "type": "message.send",
            "client_id": "late",
            "body": "Still here?",
        },  # PostgreSQL: the one-statement post
        {
            "type": "message.send",
            "client_id": "late",
            "body": "Correction",
            "corrects": 1,
        },  # the locking path
    ],
)
async def test_it_refuses_a_post_and_stores_nothing(alice, north_case, change, frame):
    ws, _ = await joined(alice, north_case.code)
    await ws.send_json_to({"type": "message.send", "client_id": "first", "body": "Before"})
    await receive_until(ws, "message.ack")
    await database_sync_to_async(CHANGES[change])(alice)

    await ws.send_json_to(frame)

    error = await receive_until(ws, "error")
    assert (error["code"], error["client_id"]) == ("forbidden", "late")
    assert await ws.receive_output() == {"type": "websocket.close", "code": WS_CLOSE_ACCESS_LOST}
    assert not await database_sync_to_async(Message.objects.filter(client_id="late").exists)()


@pytest.mark.parametrize("change", CHANGES)
async def test_it_refuses_history(alice, north_case, change):
    ws, _ = await joined(alice, north_case.code)
    await database_sync_to_async(CHANGES[change])(alice)
    await ws.send_json_to({"type": "history.fetch", "after_seq": 0})
    assert (await receive_until(ws, "error"))["code"] == "not_found"
