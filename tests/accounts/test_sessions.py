"""Sessions: the Sessions page, signing out one or all others, automatic logoff, activity.

alice (therapist in North) is signed in on a laptop and a phone.
"""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from consult.accounts.models import EndReason, UserSession
from consult.accounts.sessions import sessions_expire_due
from consult.realtime.protocol import WS_CLOSE_SIGNED_OUT
from tests.support.audit import trail
from tests.support.sockets import joined, receive_until

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def signed_in(user, user_agent):
    client = Client(HTTP_USER_AGENT=user_agent)
    response = client.post(
        "/login/", {"username": user.username, "password": "pw-" + user.username}
    )
    assert response.status_code == 302
    return client


def row_of(client):
    return UserSession.objects.get(session_key=client.cookies["sessionid"].value)


def lapse(client, seconds):
    UserSession.objects.filter(pk=row_of(client).pk).update(
        last_seen_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_it_lists_my_open_sessions_with_device_and_this_browser(alice, bob):
    laptop, _ = signed_in(alice, FIREFOX), signed_in(alice, IPHONE)
    signed_in(bob, FIREFOX)
    html = laptop.get("/account/sessions/").content.decode()
    assert html.count('data-testid="session-row"') == 2
    assert "Firefox on Windows" in html and "Safari on iPhone" in html
    assert html.count('data-testid="this-session"') == 1


def test_it_signs_out_another_session_of_mine(alice):
    laptop, phone = signed_in(alice, FIREFOX), signed_in(alice, IPHONE)
    response = laptop.post(f"/account/sessions/{row_of(phone).pk}/sign-out/")
    assert response.status_code == 302
    assert phone.get("/cases/").status_code == 302
    assert laptop.get("/cases/").status_code == 200
    phone_row = UserSession.objects.get(user_agent=IPHONE)
    assert phone_row.end_reason == EndReason.REVOKED
    revoked = [e for e in trail(alice) if e[0] == "session.revoked"]
    assert revoked == [("session.revoked", "alice", {"session": phone_row.pk, "reason": "revoked"})]


def test_it_refuses_to_sign_out_someone_elses_session(alice, carol):
    laptop, carols = signed_in(alice, FIREFOX), signed_in(carol, FIREFOX)
    assert laptop.post(f"/account/sessions/{row_of(carols).pk}/sign-out/").status_code == 404
    assert carols.get("/cases/").status_code == 200


def test_it_signs_out_everywhere_else(alice):
    laptop, phone, tablet = (
        signed_in(alice, FIREFOX),
        signed_in(alice, IPHONE),
        signed_in(alice, IPHONE),
    )
    assert laptop.post("/account/sessions/sign-out-others/").status_code == 302
    assert [c.get("/cases/").status_code for c in (laptop, phone, tablet)] == [200, 302, 302]


def test_it_signs_out_after_the_idle_limit(settings, alice):
    laptop = signed_in(alice, FIREFOX)
    lapse(laptop, settings.SESSION_IDLE_SECONDS + 1)
    response = laptop.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    row = UserSession.objects.get()
    assert row.end_reason == EndReason.IDLE
    ends = [e for e in trail(alice) if e[0] in ("session.revoked", "auth.logout")]
    assert ends == [
        ("session.revoked", None, {"session": row.pk, "reason": "idle"})
    ]  # not a sign-out


def test_it_signs_out_at_the_absolute_limit_however_active(settings, alice):
    laptop = signed_in(alice, FIREFOX)
    UserSession.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.SESSION_MAX_SECONDS + 1)
    )
    assert laptop.get("/cases/").status_code == 302
    assert UserSession.objects.get().end_reason == EndReason.EXPIRED


def test_asking_for_the_deadline_is_not_activity_but_staying_signed_in_is(settings, alice):
    laptop = signed_in(alice, FIREFOX)
    lapse(laptop, settings.SESSION_IDLE_SECONDS - 30)
    status = laptop.get("/account/session/").json()
    assert (
        0 < status["seconds_left"] <= 30 and status["warn_seconds"] == settings.SESSION_WARN_SECONDS
    )
    extended = laptop.post("/account/session/extend/", HTTP_ACCEPT="application/json").json()
    assert extended["seconds_left"] > settings.SESSION_IDLE_SECONDS - 5


def test_the_deadline_endpoint_says_signed_out_once_the_session_lapsed(settings, alice):
    laptop = signed_in(alice, FIREFOX)
    lapse(laptop, settings.SESSION_IDLE_SECONDS + 1)
    response = laptop.get("/account/session/")
    assert response.status_code == 401 and response.json() == {"signed_in": False}


@pytest.mark.django_db(transaction=True)
async def test_the_sweep_ends_an_idle_session_and_closes_its_sockets(settings, alice, north_case):
    ws, _ = await joined(alice, north_case.code)
    await database_sync_to_async(UserSession.objects.update)(
        last_seen_at=timezone.now() - timedelta(seconds=settings.SESSION_IDLE_SECONDS + 1)
    )

    # (A live server's sweep, when another test started them, may get there first: either ends it.)
    await database_sync_to_async(sessions_expire_due)()

    assert await ws.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": WS_CLOSE_SIGNED_OUT,
    }
    assert (await database_sync_to_async(UserSession.objects.get)()).end_reason == EndReason.IDLE
    assert await database_sync_to_async(sessions_expire_due)() == 0  # ended once


@pytest.mark.django_db(transaction=True)
async def test_a_message_sent_on_a_socket_is_activity_and_the_heartbeat_is_not(
    settings, alice, north_case
):
    ws, _ = await joined(alice, north_case.code)
    long_ago = timezone.now() - timedelta(seconds=settings.SESSION_IDLE_SECONDS - 60)
    await database_sync_to_async(UserSession.objects.update)(last_seen_at=long_ago)

    await ws.send_json_to({"type": "ping"})
    await receive_until(ws, "pong")
    assert (await database_sync_to_async(UserSession.objects.get)()).last_seen_at == long_ago

    await ws.send_json_to({"type": "message.send", "client_id": "a1", "body": "Checking in"})
    await receive_until(ws, "message.ack")
    # Written within a moment (consult/consumers/session_touches.py: FLUSH_SECONDS).
    deadline = asyncio.get_running_loop().time() + 5
    while asyncio.get_running_loop().time() < deadline:
        if (await database_sync_to_async(UserSession.objects.get)()).last_seen_at > long_ago:
            break
        await asyncio.sleep(0.05)
    assert (await database_sync_to_async(UserSession.objects.get)()).last_seen_at > long_ago
    await ws.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_many_sockets_activity_is_written_in_one_statement(monkeypatch, alice, bob):
    """A thousand sockets starting to post at once must not make a thousand session writes
    beside their posts: one write per moment for every session that was active in it."""
    from consult.consumers import session_touches

    rows = [
        await database_sync_to_async(row_of)(await database_sync_to_async(signed_in)(user, agent))
        for user, agent in ((alice, FIREFOX), (alice, IPHONE), (bob, FIREFOX))
    ]
    long_ago = timezone.now() - timedelta(minutes=5)
    await database_sync_to_async(UserSession.objects.update)(last_seen_at=long_ago)
    writes, touch = [], session_touches.sessions_touch

    def counting(session_ids, **kwargs):
        writes.append(set(session_ids))
        return touch(session_ids, **kwargs)

    monkeypatch.setattr(session_touches, "sessions_touch", counting)
    monkeypatch.setattr(session_touches, "FLUSH_SECONDS", 0.05)
    touches = session_touches.session_touches()
    for row in rows:
        touches.note(row.pk)
    await touches.flushing

    assert writes == [{row.pk for row in rows}]
    seen = await database_sync_to_async(list)(
        UserSession.objects.values_list("last_seen_at", flat=True)
    )
    assert all(moment > long_ago for moment in seen)


@pytest.mark.django_db(transaction=True)
def test_the_sweep_skips_a_session_another_process_is_ending_instead_of_waiting(settings, alice):
    """Every server process sweeps: one that finds a lapsed session locked by another's end
    goes on to the next instead of queueing behind it, and the other finishes that one."""
    import threading
    import time

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer for the whole database: no row lock to skip")
    lapsed = timezone.now() - timedelta(seconds=settings.SESSION_IDLE_SECONDS + 60)
    busy, free = (
        UserSession.objects.create(
            user=alice, session_key=key, created_at=lapsed, last_seen_at=lapsed, user_agent="t"
        )
        for key in ("busy-session", "free-session")
    )
    locked, release = threading.Event(), threading.Event()

    def another_process_ending_it():
        try:
            with transaction.atomic():
                list(UserSession.objects.select_for_update().filter(pk=busy.pk))
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=another_process_ending_it)
    other.start()
    try:
        assert locked.wait(5)
        started = time.monotonic()
        assert sessions_expire_due() == 1  # the free one; the busy one is not waited for
        assert time.monotonic() - started < 2
        assert UserSession.objects.get(pk=free.pk).ended_at is not None
        assert UserSession.objects.get(pk=busy.pk).ended_at is None
    finally:
        release.set()
        other.join()
    assert sessions_expire_due() == 1  # its turn, once the lock is gone
    assert UserSession.objects.filter(ended_at__isnull=True).count() == 0
