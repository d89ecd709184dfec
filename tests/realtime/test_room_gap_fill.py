"""A room whose hold gave up on a missing message reads it from the database itself: its
members get every message live, in order, even one whose publish was lost after commit."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from consult.cases import services
from consult.realtime import hub, rooms_local
from tests.support.sockets import joined, receive_until


def room_filled_by(fill_gap):
    room, got = hub.Room(fill_gap=fill_gap), []

    async def send(text):
        got.append(text)

    room.members["a"] = hub.Member(send=send)
    return room, got


async def test_the_hold_fills_every_missing_seq_from_the_database(monkeypatch):
    monkeypatch.setattr(rooms_local, "REORDER_HOLD_SECONDS", 0.01)
    asked = []

    async def fill_gap(after_seq, before_seq):
        asked.append((after_seq, before_seq))
        return [(2, "m2"), (4, "m4")]

    room, got = room_filled_by(fill_gap)
    for seq in (1, 3, 5):
        await room.receive(seq, f"m{seq}")
    await asyncio.sleep(0.1)
    assert got == ["m1", "m2", "m3", "m4", "m5"]
    assert asked == [(1, 5)]
    await room.receive(4, "m4")  # the lost publish turning up late
    assert got == ["m1", "m2", "m3", "m4", "m5"]


@pytest.mark.parametrize("failure", ["error", "too slow"])
async def test_a_gap_the_database_cannot_fill_is_left_to_the_clients(monkeypatch, failure):
    monkeypatch.setattr(rooms_local, "REORDER_HOLD_SECONDS", 0.01)
    monkeypatch.setattr(rooms_local, "GAP_FILL_SECONDS", 0.05)

    async def fill_gap(after_seq, before_seq):
        if failure == "error":
            raise ConnectionError("database away")
        await asyncio.sleep(5)

    room, got = room_filled_by(fill_gap)
    for seq in (1, 3):
        await room.receive(seq, f"m{seq}")
    await asyncio.sleep(0.3)
    assert got == ["m1", "m3"]


@pytest.mark.django_db(transaction=True)
async def test_a_message_whose_publish_was_lost_reaches_the_room_from_the_database(
    monkeypatch, alice, carol, north_case
):
    carol_ws, _ = await joined(carol, north_case.code)
    alice_ws, _ = await joined(alice, north_case.code)
    await alice_ws.send_json_to({"type": "message.send", "client_id": "first", "body": "First."})
    assert (await receive_until(carol_ws, "message.new"))["message"]["seq"] == 1
    # Stored, and its process died before publishing it.
    monkeypatch.setattr(services, "publish_on_commit", lambda *args, **kwargs: None)
    await database_sync_to_async(services.message_post)(
        actor=alice, case_code=north_case.code, client_id="lost", body="Stored, never published."
    )
    monkeypatch.undo()
    await alice_ws.send_json_to({"type": "message.send", "client_id": "next", "body": "Next."})
    first = await receive_until(carol_ws, "message.new")
    second = await receive_until(carol_ws, "message.new")
    assert [(f["message"]["seq"], f["message"]["client_id"]) for f in (first, second)] == [
        (2, "lost"),
        (3, "next"),
    ]
    for ws in (alice_ws, carol_ws):
        await ws.disconnect()
