"""Guidance reaches everyone in the case room as it is logged, amended and acknowledged."""

import pytest
from channels.db import database_sync_to_async

from consult.records.guidance.services import guidance_acknowledge, guidance_amend, guidance_log
from tests.support.sockets import joined, receive_until

pytestmark = pytest.mark.django_db(transaction=True)

GUIDANCE = {"assessment": "Engaged, ambivalent", "recommendation": "Weekly sessions", "actions": ""}


async def test_it_broadcasts_each_step_to_the_room(alice, bob, north_case):
    alice_ws, _ = await joined(alice, north_case.code)
    entry = await database_sync_to_async(guidance_log)(
        actor=bob, case_code=north_case.code, **GUIDANCE
    )
    frame = await receive_until(alice_ws, "guidance.logged")
    assert frame == {
        "type": "guidance.logged",
        "entry": {
            "id": entry.pk,
            "case": north_case.code,
            "number": 1,
            "version": 1,
            "replaces": None,
            "author": {"id": bob.pk, "username": "bob", "name": "Bob"},
            "assessment": "Engaged, ambivalent",
            "recommendation": "Weekly sessions",
            "actions": "",
            "follow_up_due": None,
            "consult_id": None,
            "session_minutes": 30,
            "created_at": entry.created_at.isoformat(),
            "acknowledged": None,
        },
    }

    amended = await database_sync_to_async(guidance_amend)(
        actor=bob,
        case_code=north_case.code,
        entry_id=entry.pk,
        **{**GUIDANCE, "actions": "Call the crisis line together"},
    )
    frame = await receive_until(alice_ws, "guidance.amended")
    assert (frame["entry"]["id"], frame["entry"]["version"], frame["entry"]["replaces"]) == (
        amended.pk,
        2,
        entry.pk,
    )

    ack = await database_sync_to_async(guidance_acknowledge)(
        actor=alice, case_code=north_case.code, entry_id=amended.pk
    )
    assert await receive_until(alice_ws, "guidance.acknowledged") == {
        "type": "guidance.acknowledged",
        "case": north_case.code,
        "entry_id": amended.pk,
        "by": {"id": alice.pk, "username": "alice", "name": "Alice"},
        "at": ack.at.isoformat(),
    }
    await alice_ws.disconnect()
