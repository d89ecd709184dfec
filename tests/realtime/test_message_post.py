import pytest
from channels.db import database_sync_to_async

from consult.audit.models import AuditEvent
from consult.cases.models import Message
from tests.support.sockets import frames_before, joined, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


def stored(case):
    return list(
        Message.objects.filter(case=case).order_by("seq").values_list("seq", "client_id", "body")
    )


async def test_it_acks_the_sender_and_broadcasts_to_every_member(alice, bob, north_case):
    alice_ws, _ = await joined(alice, north_case.code)
    bob_ws, _ = await joined(bob, north_case.code)
    await alice_ws.send_json_to(
        {"type": "message.send", "client_id": "m1", "body": "Is a **safety plan** enough?"}
    )

    assert await receive_until(alice_ws, "message.ack") == {
        "type": "message.ack",
        "client_id": "m1",
        "seq": 1,
        "duplicate": False,
    }
    for ws in (alice_ws, bob_ws):
        frame = await receive_until(ws, "message.new")
        assert frame["message"]["seq"] == 1
        assert frame["message"]["author"]["username"] == "alice"
        assert frame["message"]["html"] == "<p>Is a <strong>safety plan</strong> enough?</p>"
    assert await database_sync_to_async(stored)(north_case) == [
        (1, "m1", "Is a **safety plan** enough?")
    ]
    await alice_ws.disconnect()
    await bob_ws.disconnect()


async def test_it_stores_a_retried_send_once_and_acks_it_again(alice, bob, north_case):
    alice_ws, _ = await joined(alice, north_case.code)
    bob_ws, _ = await joined(bob, north_case.code)
    send = {"type": "message.send", "client_id": "retry-1", "body": "Sent twice over a flaky link"}
    await alice_ws.send_json_to(send)
    first = await receive_until(alice_ws, "message.ack")
    await alice_ws.send_json_to(send)
    second = await receive_until(alice_ws, "message.ack")

    assert (first["seq"], first["duplicate"]) == (1, False)
    assert (second["seq"], second["duplicate"]) == (1, True)
    assert await database_sync_to_async(stored)(north_case) == [
        (1, "retry-1", "Sent twice over a flaky link")
    ]
    assert (await receive_until(bob_ws, "message.new"))["message"]["seq"] == 1
    posted = await database_sync_to_async(
        AuditEvent.objects.filter(action="message.posted").count
    )()
    assert posted == 1
    # The retry is not broadcast again: the next message is the next bob hears of.
    await alice_ws.send_json_to({"type": "message.send", "client_id": "next", "body": "Next"})
    assert await frames_before(bob_ws, "message.new", lambda f: f["message"]["seq"] == 2) == []
    await alice_ws.disconnect()
    await bob_ws.disconnect()


async def test_it_posts_a_correction_as_a_new_message_pointing_at_the_original(alice, north_case):
    ws, _ = await joined(alice, north_case.code)
    await ws.send_json_to({"type": "message.send", "client_id": "a", "body": "Risk looks low"})
    await receive_until(ws, "message.ack")
    await ws.send_json_to(
        {"type": "message.send", "client_id": "b", "body": "Risk looks moderate", "corrects": 1}
    )
    frame = await receive_until(ws, "message.new")
    frame = await receive_until(ws, "message.new")
    assert (frame["message"]["seq"], frame["message"]["corrects"]) == (2, 1)
    assert await database_sync_to_async(stored)(north_case) == [
        (1, "a", "Risk looks low"),
        (2, "b", "Risk looks moderate"),
    ]
    await ws.disconnect()


async def test_it_refuses_to_correct_someone_elses_message(alice, bob, north_case):
    alice_ws, _ = await joined(alice, north_case.code)
    bob_ws, _ = await joined(bob, north_case.code)
    await alice_ws.send_json_to(
        {"type": "message.send", "client_id": "a", "body": "First thoughts"}
    )
    await receive_until(bob_ws, "message.new")
    await bob_ws.send_json_to(
        {"type": "message.send", "client_id": "b", "body": "Fixed", "corrects": 1}
    )
    assert await receive_until(bob_ws, "error") == {
        "type": "error",
        "code": "invalid_field",
        "message": "you can only correct your own messages",
        "field": "corrects",
        "request": "message.send",
        "client_id": "b",
    }
    assert len(await database_sync_to_async(stored)(north_case)) == 1
    await alice_ws.disconnect()
    await bob_ws.disconnect()
