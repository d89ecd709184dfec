"""The room hub's local delivery: in seq order, a held frame released by its predecessor or by
the hold timeout, unordered frames straight through, one failing socket dropped alone."""

import asyncio

from consult.realtime import hub, rooms_local


def room_with(*names):
    room, got = hub.Room(), {name: [] for name in names}
    for name in names:

        async def send(text, name=name):
            got[name].append(text)

        room.members[name] = hub.Member(send=send)
    return room, got


async def test_it_holds_a_frame_that_skips_ahead_until_the_missing_one_arrives():
    room, got = room_with("a", "b")
    await room.receive(1, "m1")
    await room.receive(3, "m3")
    await room.receive(hub.UNORDERED, "presence")
    await room.receive(2, "m2")
    assert got["a"] == got["b"] == ["m1", "presence", "m2", "m3"]


async def test_it_delivers_a_held_frame_after_the_hold_when_the_gap_never_fills(monkeypatch):
    monkeypatch.setattr(rooms_local, "REORDER_HOLD_SECONDS", 0.01)
    room, got = room_with("a")
    await room.receive(5, "m5")
    await room.receive(7, "m7")
    assert got["a"] == ["m5"]
    await asyncio.sleep(0.05)
    assert got["a"] == ["m5", "m7"]
    await room.receive(8, "m8")
    assert got["a"] == ["m5", "m7", "m8"]


async def test_it_drops_only_the_socket_whose_send_fails():
    room, got = room_with("a")

    async def broken(text):
        raise ConnectionError("gone")

    room.members["broken"] = hub.Member(send=broken)
    await room.receive(1, "m1")
    await room.receive(2, "m2")
    assert got["a"] == ["m1", "m2"] and "broken" not in room.members


async def test_it_delivers_in_process_without_redis(settings):
    settings.REDIS_URL = ""
    got = []

    async def send(text):
        got.append(text)

    await hub.hub().join("case.1", "socket-1", hub.Member(send=send))
    await asyncio.to_thread(hub.publish, "case.1", '{"type": "x"}', 1)
    await asyncio.to_thread(hub.publish, "case.2", '{"type": "elsewhere"}', 1)
    await asyncio.sleep(0.05)
    assert got == ['{"type": "x"}']
    await hub.hub().leave("case.1", "socket-1")


async def test_it_delivers_every_frame_of_the_keyerror_reproduction(monkeypatch):
    """1, 3, 2, 4 then a gap at 5: flush used to pop seqs its in-order delivery had taken."""
    monkeypatch.setattr(rooms_local, "REORDER_HOLD_SECONDS", 0.01)
    room, got = room_with("a")
    for seq in (1, 3, 2, 4, 6, 7, 9):
        await room.receive(seq, f"m{seq}")
    await asyncio.sleep(0.05)
    assert got["a"] == ["m1", "m2", "m3", "m4", "m6", "m7", "m9"]
    await room.receive(10, "m10")
    await room.receive(5, "m5")  # too late: the client already fetched the gap
    assert got["a"][-1] == "m10" and got["a"].count("m5") == 0


async def test_a_duplicate_publish_reaches_each_socket_once():
    room, got = room_with("a")
    for seq in (1, 2, 2, 1, 3, 3):
        await room.receive(seq, f"m{seq}")
    assert got["a"] == ["m1", "m2", "m3"]


async def test_presence_frames_are_coalesced_to_the_newest_per_window(monkeypatch):
    """A burst of joins into a room costs each member the first presence frame at once and then
    the newest one per window, not one frame per join."""
    monkeypatch.setattr(rooms_local, "LATEST_EVERY_SECONDS", 0.05)
    room, got = room_with("a", "b")
    for n in range(1, 11):
        await room.receive(hub.LATEST, f"presence {n}")
    await room.receive(1, "m1")  # messages are never held behind presence
    assert got["a"] == got["b"] == ["presence 1", "m1"]
    await asyncio.sleep(0.2)
    assert got["a"] == got["b"] == ["presence 1", "m1", "presence 10"]
    await room.receive(hub.LATEST, "presence 11")  # a quiet room hears the next one at once
    assert got["a"][-1] == "presence 11"


async def test_a_room_closed_with_presence_waiting_sends_nothing_later(monkeypatch):
    monkeypatch.setattr(rooms_local, "LATEST_EVERY_SECONDS", 0.05)
    room, got = room_with("a")
    await room.receive(hub.LATEST, "presence 1")
    await room.receive(hub.LATEST, "presence 2")
    room.close()
    await asyncio.sleep(0.15)
    assert got["a"] == ["presence 1"]


async def test_presence_publishes_are_held_and_sent_together_per_process_window(
    settings, monkeypatch
):
    """A burst of joins into two rooms: nothing is published until the process's window ends,
    then the newest frame of each room, together; the members end with the newest."""
    settings.REDIS_URL = ""
    published, publish_now = [], hub._publish_now

    def counting(group, text, seq):
        published.append((group, text))
        publish_now(group, text, seq)

    monkeypatch.setattr(hub, "_publish_now", counting)
    got = []

    async def send(text):
        got.append(text)

    await hub.hub().join("case.7", "socket-7", hub.Member(send=send))

    def burst():
        for i in range(20):
            hub.publish("case.7", f'{{"n": {i}}}', hub.LATEST)
        hub.publish("case.8", '{"other room": 1}', hub.LATEST)

    await asyncio.to_thread(burst)
    assert published == []  # held for the window
    await asyncio.sleep(rooms_local.LATEST_EVERY_SECONDS * 3)
    assert published == [("case.7", '{"n": 19}'), ("case.8", '{"other room": 1}')]
    assert got == ['{"n": 19}']

    await asyncio.to_thread(hub.publish, "case.7", '{"n": 20}', hub.LATEST)  # a new window
    await asyncio.sleep(rooms_local.LATEST_EVERY_SECONDS * 3)
    assert published[-1] == ("case.7", '{"n": 20}') and got[-1] == '{"n": 20}'
    await hub.hub().leave("case.7", "socket-7")


async def test_a_revocation_closes_exactly_its_owners_sockets_and_leaves_no_trace(settings):
    """Revocations find sockets by user and by session (Hub.sockets_of), in every room, without
    touching anyone else's; sockets that left are forgotten, so the index does not grow."""
    settings.REDIS_URL = ""
    revoked = []

    async def send(text):
        pass

    def member(user_id, session, name):
        return hub.Member(
            send=send, user_id=user_id, session=session, revoke=lambda code: revoked.append(name)
        )

    the_hub = hub.hub()
    await the_hub.join("case.1", "a1", member(1, "session.a", "a1"))
    await the_hub.join("case.2", "a2", member(1, "session.b", "a2"))
    await the_hub.join("case.1", "b1", member(2, "session.c", "b1"))
    await the_hub.join("case.2", "b2", member(2, "session.c", "b2"))

    the_hub.revoke(hub.SESSION, "session.b", 4001)
    assert revoked == ["a2"]
    the_hub.revoke(hub.USER_IN_ROOM, "2@case.2", 4403)
    assert revoked == ["a2", "b2"]
    the_hub.revoke(hub.USER, "1", 4403)
    assert revoked == ["a2", "b2", "a1"]
    assert set(the_hub.rooms["case.1"].members) == {"b1"}

    await the_hub.leave("case.1", "b1")
    assert "case.2" in the_hub.rooms  # the hub is still open, and remembers nobody
    assert the_hub.sockets_of == {} and the_hub.owners_of == {}
    for group, key in (("case.1", "a1"), ("case.2", "a2"), ("case.2", "b2")):
        await the_hub.leave(group, key)  # the sockets' own leave, after their revocation
