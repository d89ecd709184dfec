import pytest
from channels.db import database_sync_to_async

from consult.cases.models import ReadPosition
from tests.support.sockets import frames_before, joined, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def test_it_shows_who_joins_and_leaves_live(alice, bob, north_case):
    alice_ws, _ = await joined(alice, north_case.code)
    bob_ws, frame = await joined(bob, north_case.code)
    assert [u["username"] for u in frame["presence"]] == ["alice", "bob"]
    assert [u["username"] for u in (await receive_until(alice_ws, "presence"))["users"]] == [
        "alice",
        "bob",
    ]
    await bob_ws.disconnect()
    assert [u["username"] for u in (await receive_until(alice_ws, "presence"))["users"]] == [
        "alice"
    ]
    await alice_ws.disconnect()


async def test_it_records_read_positions_and_broadcasts_them(alice, bob, north_case):
    alice_ws, _ = await joined(alice, north_case.code)
    bob_ws, _ = await joined(bob, north_case.code)
    for i in (1, 2):
        await alice_ws.send_json_to(
            {"type": "message.send", "client_id": f"m{i}", "body": f"point {i}"}
        )
        await receive_until(bob_ws, "message.new")
    await bob_ws.send_json_to({"type": "read.mark", "seq": 2})
    assert await receive_until(alice_ws, "read.updated") == {
        "type": "read.updated",
        "user_id": bob.pk,
        "seq": 2,
    }

    position = await database_sync_to_async(ReadPosition.objects.get)(case=north_case, user=bob)
    assert position.seq == 2
    await bob_ws.send_json_to({"type": "read.mark", "seq": 1})  # positions never move back
    await bob_ws.send_json_to({"type": "read.mark", "seq": 99})  # nor past the last message
    await bob_ws.send_json_to({"type": "ping"})  # answered once both marks are handled
    assert await frames_before(bob_ws, "pong") == []
    await database_sync_to_async(position.refresh_from_db)()
    assert position.seq == 2

    carol_view, frame = await joined(alice, north_case.code)
    assert frame["read_positions"] == {str(bob.pk): 2}
    for ws in (alice_ws, bob_ws, carol_view):
        await ws.disconnect()
