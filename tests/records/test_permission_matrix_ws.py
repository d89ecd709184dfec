"""Every role × every records action over websockets: the case room (where guidance arrives and
peers comment) and the live review room (where only the facilitator runs the agenda)."""

import pytest
from channels.db import database_sync_to_async

from consult.records.guidance.services import guidance_log
from tests.records.world import build_world
from tests.support.sockets import connect, connect_review, receive_state, receive_until

pytestmark = pytest.mark.django_db(transaction=True)

MEMBER_ROLES = ("owner", "therapist", "peer", "supervisor", "admin")


@pytest.fixture
def world(alice, bob, carol, oscar, north, north_case):
    return build_world(alice, bob, carol, oscar, north, north_case)


async def case_room_actions(world, role):
    """(joined?, comment accepted?, guidance frame seen?) for one role in the case room."""
    ws, connected, _ = await connect(world.users[role], world.case.code)
    if not connected:
        return (False, None, None)
    await receive_until(ws, "room.joined")
    await ws.send_json_to({"type": "message.send", "client_id": f"c-{role}", "body": "A comment"})
    commented = (await receive_until(ws, "message.ack"))["client_id"] == f"c-{role}"
    await database_sync_to_async(guidance_log)(
        actor=world.users["supervisor"],
        case_code=world.case.code,
        assessment="Engaged",
        recommendation=f"For {role}",
    )
    seen = (await receive_until(ws, "guidance.logged"))["entry"]["recommendation"] == f"For {role}"
    await ws.disconnect()
    return (True, commented, seen)


async def review_room_actions(world, role):
    """(joined?, result of a minutes.save frame) for one role in the live review room."""
    ws, connected = await connect_review(world.users[role], world.live.pk)
    if not connected:
        return (False, None)
    await receive_state(ws)
    await ws.send_json_to({"type": "minutes.save", "position": 1, "text": f"Minutes by {role}"})
    while True:
        frame = await ws.receive_json_from(timeout=5)
        if frame["type"] == "error":
            result = frame["code"]
            break
        if (
            frame["type"] == "review.state"
            and frame["agenda"][0]["minutes"] == f"Minutes by {role}"
        ):
            result = "saved"
            break
    await ws.disconnect()
    return (True, result)


async def test_it_admits_members_to_the_case_room_and_refuses_the_outsider(world):
    results = {role: await case_room_actions(world, role) for role in (*MEMBER_ROLES, "outsider")}
    assert results == {
        **{role: (True, True, True) for role in MEMBER_ROLES},
        "outsider": (False, None, None),
    }


async def test_it_lets_only_the_facilitator_write_review_minutes(world):
    results = {role: await review_room_actions(world, role) for role in (*MEMBER_ROLES, "outsider")}
    assert results == {
        "owner": (True, "forbidden"),
        "therapist": (True, "forbidden"),
        "peer": (True, "forbidden"),
        "supervisor": (True, "saved"),
        "admin": (True, "forbidden"),
        "outsider": (False, None),
    }
