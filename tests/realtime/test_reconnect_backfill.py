import pytest

from consult.cases.services import message_post
from tests.support.sockets import joined, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


def post(user, case, n, start=1):
    for i in range(start, start + n):
        message_post(actor=user, case_code=case.code, client_id=f"b{i}", body=f"note {i}")


async def test_it_sends_exactly_the_missed_messages_in_order_on_reconnect(alice, bob, north_case):
    from channels.db import database_sync_to_async

    await database_sync_to_async(post)(bob, north_case, 3)
    ws, frame = await joined(alice, north_case.code)
    assert [m["seq"] for m in frame["messages"]] == [1, 2, 3]
    await ws.disconnect()

    await database_sync_to_async(post)(bob, north_case, 4, start=4)  # posted while alice was away
    ws, frame = await joined(alice, north_case.code, after_seq=3)
    assert [m["seq"] for m in frame["messages"]] == [4, 5, 6, 7]
    assert [m["html"] for m in frame["messages"]] == [f"<p>note {i}</p>" for i in range(4, 8)]
    assert frame["last_seq"] == 7 and frame["has_more"] is False
    await ws.disconnect()


async def test_it_pages_a_long_gap_and_fills_it_by_history_fetch(alice, bob, north_case, settings):
    from channels.db import database_sync_to_async

    settings.HISTORY_PAGE_SIZE = 5
    await database_sync_to_async(post)(bob, north_case, 12)
    ws, frame = await joined(alice, north_case.code, after_seq=0)
    assert [m["seq"] for m in frame["messages"]] == [1, 2, 3, 4, 5] and frame["has_more"]
    await ws.send_json_to({"type": "history.fetch", "after_seq": 5})
    page = await receive_until(ws, "history")
    assert [m["seq"] for m in page["messages"]] == [6, 7, 8, 9, 10] and page["has_more"]
    await ws.send_json_to({"type": "history.fetch", "after_seq": 10})
    page = await receive_until(ws, "history")
    assert [m["seq"] for m in page["messages"]] == [11, 12] and not page["has_more"]
    await ws.disconnect()


async def test_it_gives_recent_history_on_a_first_join(alice, bob, north_case):
    from channels.db import database_sync_to_async

    await database_sync_to_async(post)(bob, north_case, 55)
    ws, frame = await joined(alice, north_case.code)
    assert [m["seq"] for m in frame["messages"]] == list(range(6, 56))
    await ws.disconnect()


async def test_a_history_fetch_waiting_for_the_database_does_not_hold_up_the_members_posts(
    alice, north_case, monkeypatch
):
    """When Redis comes back every member fetches what it missed at once; a post sent after the
    fetch is answered without waiting for it, and the fetch is answered too."""
    import threading

    from consult.cases import rooms

    acked = threading.Event()
    real_room_history = rooms.room_history

    def room_history_behind_a_crowd(**kwargs):
        acked.wait(5)  # stands in for the other sockets' reads queued ahead of this one
        return real_room_history(**kwargs)

    monkeypatch.setattr(rooms, "room_history", room_history_behind_a_crowd)
    ws, _ = await joined(alice, north_case.code)
    await ws.send_json_to({"type": "history.fetch", "after_seq": 0})
    await ws.send_json_to(
        {"type": "message.send", "client_id": "after-fetch", "body": "Still here"}
    )
    ack = await receive_until(ws, "message.ack", seconds=3)  # not after the fetch's 5 s
    acked.set()
    assert ack["client_id"] == "after-fetch"
    history = await receive_until(ws, "history")
    assert [m["client_id"] for m in history["messages"]] == ["after-fetch"]
    await ws.disconnect()
