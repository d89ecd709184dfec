import pytest

from tests.support.sockets import connect, joined, sent_after_close

pytestmark = pytest.mark.django_db(transaction=True)


async def test_it_admits_a_team_member_with_the_room_state(alice, north_case):
    communicator, frame = await joined(alice, north_case.code)
    assert frame["case"]["code"] == north_case.code
    assert frame["me"]["username"] == "alice"
    assert {m["username"] for m in frame["members"]} == {"alice"}
    assert frame["last_seq"] == 0 and frame["messages"] == []
    assert [u["username"] for u in frame["presence"]] == ["alice"]
    await communicator.disconnect()


async def test_it_refuses_an_outsider_before_accepting(oscar, north_case):
    communicator, connected, _ = await connect(oscar, north_case.code)
    assert not connected
    assert await sent_after_close(communicator) == []


async def test_it_refuses_an_outsider_the_same_way_for_a_missing_case(oscar, north_case):
    _, connected_real, code_real = await connect(oscar, north_case.code)
    _, connected_missing, code_missing = await connect(oscar, "C-ZZZZZ")
    assert (connected_real, code_real) == (connected_missing, code_missing) == (False, 1000)


async def test_it_refuses_an_anonymous_socket(north_case):
    _, connected, _ = await connect(None, north_case.code)
    assert not connected


async def test_it_refuses_a_foreign_origin(alice, north_case):
    _, connected, _ = await connect(alice, north_case.code, origin=b"https://evil.example")
    assert not connected


@pytest.mark.parametrize(
    "after_seq", ["abc", "²", "%EF%BC%91", "", "1&after_seq=2", "-1", "9223372036854775808"]
)
async def test_it_answers_a_malformed_after_seq_with_a_typed_error_and_closes(
    alice, north_case, after_seq
):
    communicator, connected, _ = await connect(alice, north_case.code, after_seq=after_seq)
    assert connected  # accepted only to say what was wrong: never an HTTP 500
    frame = await communicator.receive_json_from(timeout=5)
    assert (frame["type"], frame["code"], frame["field"]) == ("error", "invalid_field", "after_seq")
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": 4400}
    await communicator.disconnect()  # the browser's side of the close: the consumer ends


async def test_it_takes_the_largest_after_seq(alice, north_case):
    communicator, frame = await joined(alice, north_case.code, after_seq=str(2**63 - 1))
    assert frame["messages"] == []
    await communicator.disconnect()


async def test_a_remembered_room_that_is_no_longer_the_codes_is_corrected(alice, north_case):
    """The process remembers each code's room (rooms.known_room); if the code now names another
    case (one deleted and its code reused), the join notices, subscribes to the right room, and
    the socket hears that room's messages live."""
    from channels.db import database_sync_to_async

    from consult.cases import rooms
    from consult.cases.services import message_post
    from tests.support.sockets import receive_until

    rooms._known_rooms[north_case.code] = north_case.pk + 1_000_000  # another case's room
    communicator, frame = await joined(alice, north_case.code)
    assert frame["case"]["code"] == north_case.code
    assert rooms.known_room(north_case.code) == north_case.pk

    await database_sync_to_async(message_post)(
        actor=alice, case_code=north_case.code, client_id="after-join", body="heard live"
    )
    new = await receive_until(communicator, "message.new")
    assert new["message"]["client_id"] == "after-join"
    await communicator.disconnect()
