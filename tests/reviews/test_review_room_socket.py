"""The live review room over websockets: state on join, live updates, facilitator-only control.

bob facilitates; carol (peer) and alice (therapist) attend; oscar (East) is refused.
"""

import pytest
from channels.db import database_sync_to_async

from consult.records.reviews import services
from tests.reviews.helpers import WHEN
from tests.support.sockets import connect_review, receive_state, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_review(bob, north, north_case):
    session = services.review_schedule(actor=bob, team_id=north.pk, scheduled_at=WHEN)
    services.review_open(actor=bob, session_id=session.pk)
    return session


async def test_it_sends_the_state_on_join_and_every_change_to_everyone(
    bob, carol, north_case, live_review
):
    bob_ws, ok = await connect_review(bob, live_review.pk)
    assert ok
    state = await receive_state(bob_ws)
    assert (
        state["session"]["status"] == "open"
        and state["agenda"][0]["case"]["code"] == north_case.code
    )
    carol_ws, ok = await connect_review(carol, live_review.pk)
    carol_state = await receive_state(carol_ws)
    assert [u["username"] for u in carol_state["attendees"]] == ["bob", "carol"]

    await bob_ws.send_json_to(
        {"type": "minutes.save", "position": 1, "text": "Agreed: weekly check-ins"}
    )
    for ws in (bob_ws, carol_ws):
        frame = await receive_state(ws, lambda f: f["agenda"][0]["minutes"])
        assert frame["agenda"][0]["minutes"] == "Agreed: weekly check-ins"
        assert frame["agenda"][0]["minutes_by"]["username"] == "bob"
    await bob_ws.send_json_to({"type": "review.close"})
    closed = await receive_state(carol_ws, lambda f: f["session"]["status"] == "closed")
    assert closed["session"]["status"] == "closed"
    await bob_ws.disconnect()
    await carol_ws.disconnect()


async def test_it_answers_a_non_facilitator_with_forbidden_and_keeps_them_in(carol, live_review):
    ws, ok = await connect_review(carol, live_review.pk)
    await receive_state(ws)
    await ws.send_json_to({"type": "agenda.goto", "position": 1})
    assert await receive_until(ws, "error") == {
        "type": "error",
        "code": "forbidden",
        "message": "only the facilitator runs the review",
        "field": "session",
        "request": "agenda.goto",
    }
    await ws.send_json_to({"type": "ping"})
    assert await receive_until(ws, "pong") == {"type": "pong"}
    await ws.disconnect()


async def test_it_refuses_an_outsider_and_a_missing_review(oscar, bob, live_review):
    _, connected = await connect_review(oscar, live_review.pk)
    assert not connected
    _, connected = await connect_review(bob, live_review.pk + 1000)
    assert not connected


async def test_it_refuses_unknown_frames_and_fields(bob, live_review):
    ws, _ = await connect_review(bob, live_review.pk)
    await receive_state(ws)
    await ws.send_json_to({"type": "minutes.save", "position": 1})
    assert (await receive_until(ws, "error"))["message"] == "text is required"
    await ws.send_json_to({"type": "minutes.delete"})
    assert (await receive_until(ws, "error"))["code"] == "unknown_type"
    await ws.disconnect()
    assert await database_sync_to_async(lambda: live_review.agenda.get().minutes)() == ""
