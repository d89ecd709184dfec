"""A socket's sign-in (consult/accounts/socket_sign_in.py): the session, its tracked row, the user
and the second factor read in one statement, with the answer Django's own sign-in check gives,
and stricter on one point: a session past its deadline opens no socket before the sweep ends it.

alice (therapist in North, no second factor required) opens her case room.
"""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from consult.accounts.models import User, UserSession
from tests.support.sockets import connect, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


async def cookie_of(user):
    return await database_sync_to_async(session_cookie)(user)


async def opens(cookie, code):
    communicator, connected, _ = await connect(None, code, cookie=cookie)
    if connected:
        frame = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return frame["type"] == "room.joined"
    return False


async def test_a_signed_in_session_opens_its_room(alice, north_case):
    assert await opens(await cookie_of(alice), north_case.code)


async def test_a_session_past_its_idle_limit_opens_nothing_before_the_sweep(alice, north_case):
    cookie = await cookie_of(alice)
    await database_sync_to_async(UserSession.objects.filter(session_key=cookie).update)(
        last_seen_at=timezone.now() - timedelta(seconds=settings.SESSION_IDLE_SECONDS + 1)
    )
    assert not await opens(cookie, north_case.code)
    row = await database_sync_to_async(UserSession.objects.get)(session_key=cookie)
    assert row.ended_at is None  # not swept yet: the handshake itself refused it


async def test_a_session_past_its_absolute_limit_opens_nothing(alice, north_case):
    cookie = await cookie_of(alice)
    await database_sync_to_async(UserSession.objects.filter(session_key=cookie).update)(
        created_at=timezone.now() - timedelta(seconds=settings.SESSION_MAX_SECONDS + 1)
    )
    assert not await opens(cookie, north_case.code)


async def test_an_ended_or_untracked_session_opens_nothing(alice, north_case):
    ended, untracked = await cookie_of(alice), await cookie_of(alice)
    await database_sync_to_async(UserSession.objects.filter(session_key=ended).update)(
        ended_at=timezone.now()
    )
    await database_sync_to_async(UserSession.objects.filter(session_key=untracked).delete)()
    assert not await opens(ended, north_case.code)
    assert not await opens(untracked, north_case.code)


async def test_a_password_changed_behind_the_sessions_back_signs_it_out(alice, north_case):
    """The session's auth hash is the user's no more (as Django's get_user decides), even with
    no revocation sent: the password was changed straight in the database."""
    cookie = await cookie_of(alice)

    def change_password():
        user = User.objects.get(pk=alice.pk)
        user.set_password("a new password, changed elsewhere")
        User.objects.filter(pk=alice.pk).update(password=user.password)

    await database_sync_to_async(change_password)()
    assert not await opens(cookie, north_case.code)


async def test_a_deactivated_account_opens_nothing(alice, north_case):
    cookie = await cookie_of(alice)
    await database_sync_to_async(User.objects.filter(pk=alice.pk).update)(is_active=False)
    assert not await opens(cookie, north_case.code)


@pytest.mark.parametrize("cookie", ['""', "no-such-session", "x" * 500, "'; DROP TABLE x; --"])
async def test_a_cookie_naming_no_session_opens_nothing(cookie, north_case):
    assert not await opens(cookie, north_case.code)


async def test_the_session_cookie_is_found_among_others_and_across_headers(alice, north_case):
    from channels.testing import WebsocketCommunicator

    from consult.asgi import application

    cookie = await cookie_of(alice)
    communicator = WebsocketCommunicator(
        application,
        f"/ws/cases/{north_case.code}/",
        headers=[
            (b"origin", b"http://127.0.0.1:8000"),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", b"theme=dark; csrftoken=abc"),
            (b"cookie", f'lang=en; {settings.SESSION_COOKIE_NAME}="{cookie}"'.encode()),
        ],
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "room.joined"
    await communicator.disconnect()


def test_a_batch_of_sign_ins_answers_each_key_as_one_sign_in_would_in_one_read(
    monkeypatch, alice, bob
):
    """A burst of handshakes reads its sessions in one statement (consult/realtime/batches.py):
    each key still gets its own user, or nobody, whatever else is in its batch."""
    from consult.accounts import socket_sign_in as sign_in
    from consult.accounts import sql

    alice_key, bob_key, ended = session_cookie(alice), session_cookie(bob), session_cookie(bob)
    UserSession.objects.filter(session_key=ended).update(ended_at=timezone.now())
    keys = [alice_key, None, "no-such-session", bob_key, ended, alice_key]
    one_by_one = [sign_in.socket_sign_in(key)[0] for key in keys]

    reads = []
    rows = sql.socket_sign_in_rows
    monkeypatch.setattr(
        sign_in, "socket_sign_in_rows", lambda *a, **k: reads.append(1) or rows(*a, **k)
    )
    answered = sign_in.socket_sign_ins(keys)

    assert [user.pk for user, _ in answered] == [alice.pk, None, None, bob.pk, None, alice.pk]
    assert [user.pk for user in one_by_one] == [user.pk for user, _ in answered]
    assert [session.session_key for _, session in answered] == keys
    assert answered[0][1] is not answered[-1][1]  # one session object per handshake
    assert len(reads) == 1


async def test_handshakes_at_once_each_open_as_their_own_user(alice, carol, oscar, north_case):
    """Signed in together in batches, every socket opens as its own user: oscar, of another
    team, is refused whoever shares his batch."""
    import asyncio

    people = [alice, carol, oscar] * 4
    cookies = [await cookie_of(person) for person in people]
    opened = await asyncio.gather(*(connect(None, north_case.code, cookie=c) for c in cookies))
    users = []
    for communicator, connected, _ in opened:
        if connected:
            frame = await communicator.receive_json_from(timeout=5)
            users.append(frame["me"]["username"])
            await communicator.disconnect()
        else:
            users.append(None)
    assert users == [alice.username, carol.username, None] * 4
