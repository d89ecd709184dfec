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
