"""Taking access away reaches every open socket at once, on two server processes (issue 12).

alice (therapist in North) has a case room open on one server and /ws/me/ and the live review
room on the other, all under one browser session. bob (supervisor in North) keeps the room
busy: after each change he posts a message and minutes the review, and alice is sent a
personal frame. For every way her access can end, all three sockets close with the documented
code within 5 s, none of them receives a frame committed after the change, and the post alice
sends in that window is refused and not stored.
"""

import json
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
import websockets
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from consult.accounts import services as accounts
from consult.accounts.models import Membership, Role, User, UserSession
from consult.cases.models import Message
from consult.cases.services import message_post
from consult.events import frames
from consult.realtime.broadcast import publish_on_commit, user_group
from consult.realtime.revocation import WS_CLOSE_ACCESS_LOST, WS_CLOSE_SIGNED_OUT
from consult.records.reviews import services as reviews
from tests.reviews.helpers import WHEN
from tests.support.live_sockets import frames_until_closed, open_live, rooms_left
from tests.support.sockets import session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]

NEW_PASSWORD = "harbour-lantern-orchid-42"


def remove_membership_with_the_service(alice, bob, row):
    accounts.membership_remove(actor=bob, membership=Membership.objects.get(user=alice))


def remove_membership_in_admin(alice, bob, row):
    admin = User.objects.create_superuser("root", password="pw-root")
    client = Client()
    client.force_login(admin)
    team = alice.memberships.get().team
    memberships = list(team.memberships.order_by("pk"))
    data = {
        "name": team.name,
        "memberships-TOTAL_FORMS": len(memberships),
        "memberships-INITIAL_FORMS": len(memberships),
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    for i, membership in enumerate(memberships):
        data |= {
            f"memberships-{i}-id": membership.pk,
            f"memberships-{i}-team": team.pk,
            f"memberships-{i}-user": membership.user_id,
        }
        if membership.user_id == alice.pk:
            data[f"memberships-{i}-DELETE"] = "on"
    response = client.post(f"/admin/accounts/team/{team.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    assert not Membership.objects.filter(user=alice).exists()


def deactivate(alice, bob, row):
    accounts.user_deactivate(actor=bob, user=alice)


def change_role(alice, bob, row):
    accounts.user_role_set(actor=bob, user=alice, role=Role.PEER)


def change_password_in_another_browser(alice, bob, row):
    other = Client()
    assert other.post("/login/", {"username": "alice", "password": "pw-alice"}).status_code == 302
    response = other.post(
        "/account/password/",
        {"old_password": "pw-alice", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert (
        other.get("/account/sessions/").status_code == 200
    )  # the browser that changed it stays in


def sign_out_from_another_browser(alice, bob, row):
    other = Client()
    other.force_login(alice)
    response = other.post(f"/account/sessions/{row.pk}/sign-out/")
    assert response.status_code == 302


def let_it_idle(alice, bob, row):
    """Nothing happens in the session past its idle limit: the servers' sweep ends it."""
    lapsed = timezone.now() - timedelta(seconds=settings.SESSION_IDLE_SECONDS + 1)
    UserSession.objects.filter(pk=row.pk).update(last_seen_at=lapsed)
    for _ in range(200):
        if UserSession.objects.filter(pk=row.pk, ended_at__isnull=False).exists():
            return
        time.sleep(0.05)
    raise AssertionError("no server swept the idle session")


TRIGGERS = [
    (remove_membership_with_the_service, WS_CLOSE_ACCESS_LOST),
    (remove_membership_in_admin, WS_CLOSE_ACCESS_LOST),
    (deactivate, WS_CLOSE_ACCESS_LOST),
    (change_role, WS_CLOSE_ACCESS_LOST),
    (change_password_in_another_browser, WS_CLOSE_SIGNED_OUT),
    (sign_out_from_another_browser, WS_CLOSE_SIGNED_OUT),
    (let_it_idle, WS_CLOSE_SIGNED_OUT),
]


@pytest.fixture
def live_review(bob, north, north_case):
    session = reviews.review_schedule(actor=bob, team_id=north.pk, scheduled_at=WHEN)
    reviews.review_open(actor=bob, session_id=session.pk)
    return session


@database_sync_to_async
def frames_committed_after_the_change(alice, bob, case, review):
    posted = message_post(
        actor=bob, case_code=case.code, client_id="after", body="Posted after the change"
    )
    reviews.review_minutes_save(
        actor=bob, session_id=review.pk, position=1, text="Minuted after the change"
    )
    with transaction.atomic():
        publish_on_commit(
            user_group(alice.pk),
            frames.followup_due(SimpleNamespace(pk=0, case=case, due_at=timezone.now())),
        )
    return posted.message.seq


async def send_in_the_window(ws):
    try:
        await ws.send(
            json.dumps(
                {"type": "message.send", "client_id": "window", "body": "Sent in the window"}
            )
        )
    except websockets.ConnectionClosed:
        pass  # closed already: there is no window to send in


@pytest.mark.parametrize(("trigger", "code"), TRIGGERS, ids=[t.__name__ for t, _ in TRIGGERS])
async def test_it_closes_every_socket_and_lets_nothing_through(
    live_servers, alice, bob, north_case, live_review, trigger, code
):
    first, second = live_servers
    cookie = await database_sync_to_async(session_cookie)(alice)
    row = await database_sync_to_async(UserSession.objects.get)(session_key=cookie)
    room = await open_live(
        first.url, f"/ws/cases/{north_case.code}/", until="room.joined", cookie=cookie
    )
    me = await open_live(second.url, "/ws/me/", until="dashboard.snapshot", cookie=cookie)
    review = await open_live(
        second.url, f"/ws/reviews/{live_review.pk}/", until="review.state", cookie=cookie
    )

    await database_sync_to_async(trigger)(alice, bob, row)
    await send_in_the_window(room)
    after_seq = await frames_committed_after_the_change(alice, bob, north_case, live_review)

    room_frames, room_code = await frames_until_closed(room)
    me_frames, me_code = await frames_until_closed(me)
    review_frames, review_code = await frames_until_closed(review)
    assert (room_code, me_code, review_code) == (code, code, code)
    assert after_seq not in [f["message"]["seq"] for f in room_frames if f["type"] == "message.new"]
    assert not [f for f in me_frames if f["type"] == "followup.due"]
    assert not [
        f for f in review_frames if f["type"] == "review.state" and f["agenda"][0]["minutes"]
    ]
    assert not await database_sync_to_async(Message.objects.filter(client_id="window").exists)()
    await rooms_left()
