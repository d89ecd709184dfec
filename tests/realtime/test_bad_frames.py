"""Every kind of bad input gets a typed error naming the problem; nothing is stored."""

import pytest
from channels.db import database_sync_to_async

from consult.accounts.models import Membership
from consult.audit.models import AuditEvent
from consult.cases.models import Message
from consult.realtime.protocol import WS_CLOSE_FORBIDDEN
from tests.support.sockets import joined

pytestmark = pytest.mark.django_db(transaction=True)

BIG = "x" * (16 * 1024 + 1)

BAD_FRAMES = [
    ("not json", {"code": "invalid_json", "message": "the frame is not valid JSON"}),
    ("[1, 2]", {"code": "invalid_json", "message": "a frame must be a JSON object"}),
    (
        '{"body": "hi"}',
        {"code": "invalid_field", "message": "type is missing or not a string", "field": "type"},
    ),
    (
        '{"type": "message.delete"}',
        {"code": "unknown_type", "message": "unknown frame type 'message.delete'", "field": "type"},
    ),
    (
        '{"type": "message.send", "body": "hi"}',
        {"code": "invalid_field", "message": "client_id is required", "field": "client_id"},
    ),
    (
        '{"type": "message.send", "client_id": "c1", "body": 42}',
        {"code": "invalid_field", "message": "body must be a string", "field": "body"},
    ),
    (
        '{"type": "message.send", "client_id": "c1", "body": "hi", "corrects": "1"}',
        {"code": "invalid_field", "message": "corrects must be an integer", "field": "corrects"},
    ),
    (
        '{"type": "message.send", "client_id": "c1", "body": "hi", "urgent": true}',
        {"code": "invalid_field", "message": "unknown field 'urgent'", "field": "urgent"},
    ),
    (
        '{"type": "message.send", "client_id": "no spaces!", "body": "hi"}',
        {
            "code": "invalid_field",
            "message": "client_id must be 1-64 letters, digits, - or _",
            "field": "client_id",
        },
    ),
    (
        '{"type": "history.fetch", "after_seq": -1}',
        {
            "code": "invalid_field",
            "message": "after_seq must not be negative",
            "field": "after_seq",
        },
    ),
    (
        '{"type": "read.mark", "seq": true}',
        {"code": "invalid_field", "message": "seq must be an integer", "field": "seq"},
    ),
    (
        '{"type": "message.send", "client_id": "c1", "body": "   "}',
        {"code": "invalid_field", "message": "body is empty", "field": "body"},
    ),
    (
        f'{{"type": "message.send", "client_id": "c1", "body": "{BIG}"}}',
        {"code": "too_large", "message": "body is over 16384 bytes", "field": "body"},
    ),
    (
        '{"type": "ping", "pad": "%s"}' % ("x" * 70000),
        {"code": "frame_too_large", "message": "frames are limited to 65536 bytes"},
    ),
    (
        '{"type": "message.send", "client_id": "c1", "body": "hi", "corrects": 99}',
        {
            "code": "invalid_field",
            "message": "there is no message 99 in this room",
            "field": "corrects",
        },
    ),
]


def nothing_stored(case):
    return (
        not Message.objects.filter(case=case).exists()
        and not AuditEvent.objects.filter(case=case, action="message.posted").exists()
    )


@pytest.mark.parametrize(
    "text, error", BAD_FRAMES, ids=[e["code"] + ":" + t[:30] for t, e in BAD_FRAMES]
)
async def test_it_answers_a_bad_frame_with_a_typed_error_and_stays_open(
    alice, north_case, text, error
):
    ws, _ = await joined(alice, north_case.code)
    await ws.send_to(text_data=text)
    frame = await ws.receive_json_from(timeout=5)
    frame.pop("request", None)
    frame.pop("client_id", None)
    assert frame == {"type": "error", **error}
    assert await database_sync_to_async(nothing_stored)(north_case)
    await ws.send_json_to({"type": "ping"})
    assert await ws.receive_json_from(timeout=5) == {"type": "pong"}  # the socket is still usable
    await ws.disconnect()


async def test_it_refuses_binary_frames(alice, north_case):
    ws, _ = await joined(alice, north_case.code)
    await ws.send_to(bytes_data=b"\x00\x01")
    assert await ws.receive_json_from() == {
        "type": "error",
        "code": "invalid_json",
        "message": "frames must be JSON text, not binary",
    }
    await ws.disconnect()


async def test_it_names_the_request_and_client_id_of_a_refused_send(alice, north_case):
    ws, _ = await joined(alice, north_case.code)
    await ws.send_json_to({"type": "message.send", "client_id": "c9", "body": " "})
    frame = await ws.receive_json_from()
    assert (frame["request"], frame["client_id"]) == ("message.send", "c9")
    await ws.disconnect()


async def test_it_closes_the_room_when_membership_ends_and_stores_nothing_sent_after(
    alice, north_case
):
    ws, _ = await joined(alice, north_case.code)
    await database_sync_to_async(Membership.objects.filter(user=alice).delete)()
    await ws.send_json_to({"type": "message.send", "client_id": "late", "body": "Still here?"})
    assert await ws.receive_output() == {"type": "websocket.close", "code": WS_CLOSE_FORBIDDEN}
    assert await database_sync_to_async(nothing_stored)(north_case)


async def test_it_refuses_a_post_that_reaches_the_database_before_the_close(alice, north_case):
    # The close is on its way but this frame got to the service first: the database decides.
    ws, _ = await joined(alice, north_case.code)
    memberships = Membership.objects.filter(user=alice)
    await database_sync_to_async(
        lambda: memberships._raw_delete(memberships.db)
    )()  # no signal: no close
    await ws.send_json_to({"type": "message.send", "client_id": "late", "body": "Still here?"})
    assert await ws.receive_json_from() == {
        "type": "error",
        "code": "forbidden",
        "message": "you no longer have access to this case",
        "request": "message.send",
        "client_id": "late",
    }
    assert await ws.receive_output() == {"type": "websocket.close", "code": WS_CLOSE_FORBIDDEN}
    assert await database_sync_to_async(nothing_stored)(north_case)
