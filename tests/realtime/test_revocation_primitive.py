"""close_user_sockets / close_session_sockets close every kind of socket, from inside a transaction.

alice (therapist in North) holds a case room, /ws/me/ and the review room open; bob (supervisor
in North) is in the same case room and must keep his socket and his frames.
"""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from consult.cases.services import message_post
from consult.realtime.revocation import (
    WS_CLOSE_ACCESS_LOST,
    WS_CLOSE_SIGNED_OUT,
    close_session_sockets,
    close_user_sockets,
)
from consult.records.reviews import services as reviews
from tests.reviews.helpers import WHEN
from tests.support.sockets import (
    closed_with,
    joined,
    open_socket,
    receive_state,
    receive_until,
    session_cookie,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_review(bob, north, north_case):
    session = reviews.review_schedule(actor=bob, team_id=north.pk, scheduled_at=WHEN)
    reviews.review_open(actor=bob, session_id=session.pk)
    return session


async def opened(cookie, path):
    communicator, connected, _ = await open_socket(None, path, cookie=cookie)
    assert connected
    return communicator


async def alice_sockets(alice, case, review):
    cookie = await database_sync_to_async(session_cookie)(alice)
    room = await opened(cookie, f"/ws/cases/{case.code}/")
    await receive_until(room, "presence")
    me = await opened(cookie, "/ws/me/")
    await receive_until(me, "dashboard.snapshot")
    review_ws = await opened(cookie, f"/ws/reviews/{review.pk}/")
    await receive_state(review_ws)
    return cookie, [room, me, review_ws]


@database_sync_to_async
def revoke_in_a_transaction(revoke):
    with transaction.atomic():
        revoke()


async def test_it_closes_every_socket_of_the_user_with_access_lost(
    alice, bob, north_case, live_review
):
    _, sockets = await alice_sockets(alice, north_case, live_review)
    bob_room, _ = await joined(bob, north_case.code)

    await revoke_in_a_transaction(lambda: close_user_sockets(alice.pk, code=WS_CLOSE_ACCESS_LOST))

    assert [await closed_with(ws) for ws in sockets] == [WS_CLOSE_ACCESS_LOST] * 3
    await database_sync_to_async(message_post)(
        actor=bob, case_code=north_case.code, client_id="b1", body="still here"
    )
    assert (await receive_until(bob_room, "message.new"))["message"]["seq"] == 1
    await bob_room.disconnect()


async def test_it_closes_only_the_sockets_of_the_named_session(alice, north_case, live_review):
    cookie, sockets = await alice_sockets(alice, north_case, live_review)
    other_device, _ = await joined(alice, north_case.code)

    await revoke_in_a_transaction(lambda: close_session_sockets([cookie], code=WS_CLOSE_SIGNED_OUT))

    assert [await closed_with(ws) for ws in sockets] == [WS_CLOSE_SIGNED_OUT] * 3
    await other_device.send_json_to({"type": "ping"})
    assert (await receive_until(other_device, "pong"))["type"] == "pong"
    await other_device.disconnect()
