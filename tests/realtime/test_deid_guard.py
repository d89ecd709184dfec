"""The guard stands between a message and the room: flagged text is refused and stored nowhere."""

import json

import pytest
from channels.db import database_sync_to_async

from consult.audit.chain import content_hash
from consult.audit.models import AuditEvent
from consult.cases.models import Message
from tests.support.audit import trail
from tests.support.sockets import frames_before, joined, receive_until

pytestmark = pytest.mark.django_db(transaction=True)

FLAGGED = "Call her sister Maria Lopez at 555-201-3344"
FINDINGS = [{"start": 16, "end": 27, "kind": "NAME"}, {"start": 31, "end": 43, "kind": "PHONE"}]


def trail_text(case):
    return json.dumps(trail(case))


async def test_it_refuses_a_flagged_message_with_the_spans_and_stores_nothing(
    alice, bob, north_case
):
    alice_ws, _ = await joined(alice, north_case.code)
    bob_ws, _ = await joined(bob, north_case.code)
    await alice_ws.send_json_to({"type": "message.send", "client_id": "p1", "body": FLAGGED})

    assert await receive_until(alice_ws, "error") == {
        "type": "error",
        "code": "identifier_found",
        "message": "body looks like it contains patient identifiers",
        "field": "body",
        "findings": FINDINGS,
        "request": "message.send",
        "client_id": "p1",
    }
    assert not await database_sync_to_async(Message.objects.exists)()
    trail = await database_sync_to_async(trail_text)(north_case)
    assert "Maria" not in trail and "555" not in trail and "message.posted" not in trail
    # A clean message after it reaches bob first of all, and as seq 1: nothing went out before.
    await alice_ws.send_json_to({"type": "message.send", "client_id": "p2", "body": "Plan agreed."})
    marker = await frames_before(bob_ws, "message.new", lambda f: f["message"]["client_id"] == "p2")
    assert marker == []
    assert (await receive_until(alice_ws, "message.ack"))["seq"] == 1
    await alice_ws.disconnect()
    await bob_ws.disconnect()


async def test_it_accepts_a_false_alarm_the_writer_confirmed_and_records_who_confirmed_what(
    alice, north_case
):
    ws, _ = await joined(alice, north_case.code)
    body = "Hope said she felt safer this week"
    await ws.send_json_to({"type": "message.send", "client_id": "h1", "body": body})
    error = await receive_until(ws, "error")
    assert error["findings"] == [{"start": 0, "end": 4, "kind": "NAME"}]

    await ws.send_json_to(
        {
            "type": "message.send",
            "client_id": "h1",
            "body": body,
            "confirmations": error["findings"],
        }
    )
    ack = await receive_until(ws, "message.ack")
    message = await database_sync_to_async(Message.objects.get)(seq=ack["seq"], case=north_case)
    assert message.deid_confirmations == [{"start": 0, "end": 4, "kind": "NAME"}]
    event = await database_sync_to_async(AuditEvent.objects.get)(
        action="deid.false_alarm_confirmed"
    )
    assert (event.actor_id, event.payload) == (
        alice.pk,
        {
            "message_id": message.pk,
            "field": "body",
            "start": 0,
            "end": 4,
            "kind": "NAME",
            "text_sha256": content_hash(body),
        },
    )
    await ws.disconnect()


async def test_it_still_refuses_spans_left_unconfirmed(alice, north_case):
    ws, _ = await joined(alice, north_case.code)
    await ws.send_json_to(
        {"type": "message.send", "client_id": "p2", "body": FLAGGED, "confirmations": [FINDINGS[0]]}
    )
    error = await receive_until(ws, "error")
    assert (error["code"], error["findings"]) == ("identifier_found", [FINDINGS[1]])
    assert not await database_sync_to_async(Message.objects.exists)()
    await ws.disconnect()


async def test_it_refuses_malformed_confirmations(alice, north_case):
    ws, _ = await joined(alice, north_case.code)
    await ws.send_json_to(
        {
            "type": "message.send",
            "client_id": "p3",
            "body": "fine text",
            "confirmations": [{"start": "0", "end": 4, "kind": "NAME"}],
        }
    )
    error = await receive_until(ws, "error")
    assert (error["code"], error["field"]) == ("invalid_field", "confirmations")
    assert error["message"] == "confirmations[0] must be {start: int, end: int, kind: str}"
    await ws.disconnect()


async def test_it_refuses_identifiers_hidden_in_character_references_and_invisible_characters(
    alice, bob, north_case
):
    """A reader's browser would decode `&#74;ohn`: the guard reads it the same way."""
    ws, _ = await joined(alice, north_case.code)
    for client_id, body in (
        ("r1", "&#74;ohn Smith MRN &#49;234567"),
        ("z1", "J\u200bohn Sm\u200bith MRN 12\u200b34567"),
    ):
        await ws.send_json_to({"type": "message.send", "client_id": client_id, "body": body})
        error = await receive_until(ws, "error")
        flagged = {(body[f["start"] : f["end"]], f["kind"]) for f in error["findings"]}
        assert error["code"] == "identifier_found"
        assert {"NAME", "MRN"} <= {kind for _, kind in flagged}
    assert not await database_sync_to_async(Message.objects.exists)()
    await ws.disconnect()


async def test_it_refuses_a_name_that_only_markup_joins_for_the_reader(alice, north_case):
    ws, _ = await joined(alice, north_case.code)
    body = "Met J**oh**n Sm*it*h today"
    await ws.send_json_to({"type": "message.send", "client_id": "m1", "body": body})
    error = await receive_until(ws, "error")
    assert [(body[f["start"] : f["end"]], f["kind"]) for f in error["findings"]] == [
        ("J**oh**n Sm*it*h", "NAME")
    ]
    assert not await database_sync_to_async(Message.objects.exists)()
    await ws.disconnect()
