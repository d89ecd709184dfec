"""A frame that needs an unreachable database gets `unavailable` with `retry_after`, not 1011,
and the socket stays open for the resend."""
import pytest
from django.db import OperationalError

from consult.cases import rooms
from consult.realtime import post_batches
from tests.conftest import joined

pytestmark = pytest.mark.django_db(transaction=True)


def database_down(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


async def test_a_post_while_the_database_is_away_is_answered_unavailable(monkeypatch, alice, north_case):
    ws, _ = await joined(alice, north_case.code)
    monkeypatch.setattr(post_batches, "post_each", lambda requests: [OperationalError("gone")] * len(requests))
    await ws.send_json_to({"type": "message.send", "client_id": "m-1", "body": "Plan reviewed."})
    error = await ws.receive_json_from(timeout=5)
    assert error == {"type": "error", "code": "unavailable", "retry_after": 2, "request": "message.send",
                     "client_id": "m-1", "message": "the service is briefly unavailable; nothing was stored"}
    await ws.send_json_to({"type": "ping"})
    assert (await ws.receive_json_from(timeout=5)) == {"type": "pong"}
    await ws.disconnect()


async def test_a_history_fetch_while_the_database_is_away_is_answered_unavailable(monkeypatch, alice, north_case):
    ws, _ = await joined(alice, north_case.code)
    monkeypatch.setattr(rooms, "room_history", database_down)
    await ws.send_json_to({"type": "history.fetch", "after_seq": 0})
    error = await ws.receive_json_from(timeout=5)
    assert error["code"] == "unavailable" and error["request"] == "history.fetch"
    await ws.disconnect()
