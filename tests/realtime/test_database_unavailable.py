"""A frame that needs an unreachable database gets `unavailable` with `retry_after`, not 1011,
and the socket stays open for the resend."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.db import OperationalError

from consult.cases import rooms
from consult.consumers import post_batches
from tests.support.sockets import joined

pytestmark = pytest.mark.django_db(transaction=True)


def database_down(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


async def test_a_post_while_the_database_is_away_is_answered_unavailable(
    monkeypatch, alice, north_case
):
    ws, _ = await joined(alice, north_case.code)
    monkeypatch.setattr(
        post_batches, "post_each", lambda requests: [OperationalError("gone")] * len(requests)
    )
    await ws.send_json_to({"type": "message.send", "client_id": "m-1", "body": "Plan reviewed."})
    error = await ws.receive_json_from(timeout=5)
    assert error == {
        "type": "error",
        "code": "unavailable",
        "retry_after": 2,
        "request": "message.send",
        "client_id": "m-1",
        "message": "the service is briefly unavailable; nothing was stored",
    }
    await ws.send_json_to({"type": "ping"})
    assert (await ws.receive_json_from(timeout=5)) == {"type": "pong"}
    await ws.disconnect()


async def test_a_history_fetch_while_the_database_is_away_is_answered_unavailable(
    monkeypatch, alice, north_case
):
    ws, _ = await joined(alice, north_case.code)
    monkeypatch.setattr(rooms, "room_history", database_down)
    await ws.send_json_to({"type": "history.fetch", "after_seq": 0})
    error = await ws.receive_json_from(timeout=5)
    assert error["code"] == "unavailable" and error["request"] == "history.fetch"
    await ws.disconnect()


async def handshake_answer(user, code):
    """Everything the server sends to a handshake: the frames, then the close code."""
    from channels.testing import WebsocketCommunicator

    from consult.asgi import application
    from tests.support.sockets import ORIGIN, session_cookie

    cookie = await database_sync_to_async(session_cookie)(user)
    ws = WebsocketCommunicator(
        application,
        f"/ws/cases/{code}/",
        headers=[
            (b"origin", ORIGIN),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
    )
    connected, _ = await ws.connect(
        timeout=20
    )  # generous: a loaded CI machine is slow to hand off threads
    assert connected
    frames = []
    while True:
        output = await ws.receive_output(timeout=20)
        if output["type"] == "websocket.close":
            return frames, output["code"]
        frames.append(json.loads(output["text"]))


async def test_a_handshake_without_the_database_is_told_to_try_again(
    monkeypatch, alice, north_case
):
    from consult.accounts import socket_sign_in

    def no_sign_in(*args, **kwargs):
        raise OperationalError("the database system is starting up")

    monkeypatch.setattr(socket_sign_in, "socket_sign_in_rows", no_sign_in)
    frames, code = await handshake_answer(alice, north_case.code)
    assert code == 4503
    assert frames == [
        {
            "type": "error",
            "code": "unavailable",
            "retry_after": 2,
            "message": "the service is briefly unavailable; nothing was stored",
        }
    ]


async def test_a_post_into_a_hung_database_is_answered_unavailable_and_stored_once_when_resent(
    settings, monkeypatch, alice, north_case
):
    """The database stops answering (a hang, not an error): the post is answered within the
    call timeout, and the resend after recovery is stored exactly once."""
    import threading

    from consult.cases import services
    from consult.cases.models import Message

    settings.DB_CALL_TIMEOUT_SECONDS = 1
    ws, _ = await joined(alice, north_case.code)
    hung = threading.Event()
    real_post = services.messages_post

    def post_after_the_hang(requests):
        hung.wait(10)
        return real_post(requests)

    monkeypatch.setattr(services, "messages_post", post_after_the_hang)
    await ws.send_json_to({"type": "message.send", "client_id": "m-hung", "body": "Plan reviewed."})
    error = await ws.receive_json_from(timeout=5)
    assert (error["code"], error["client_id"]) == ("unavailable", "m-hung")
    hung.set()
    monkeypatch.setattr(services, "messages_post", real_post)
    await asyncio.sleep(error["retry_after"])  # as a client does: sooner is refused at once
    await ws.send_json_to({"type": "message.send", "client_id": "m-hung", "body": "Plan reviewed."})
    while (frame := await ws.receive_json_from(timeout=10))["type"] != "message.ack":
        pass
    assert frame["client_id"] == "m-hung"
    assert await database_sync_to_async(Message.objects.filter(client_id="m-hung").count)() == 1
    await ws.disconnect()


async def test_posts_queued_behind_a_hung_batch_are_answered_within_the_limit(
    settings, monkeypatch, alice, north_case
):
    """Each post's limit runs from its queueing: a second post waiting behind a hung batch is not
    made to wait for the first batch's whole limit and then its own."""
    import threading
    import time

    from consult.cases import services

    settings.DB_CALL_TIMEOUT_SECONDS = 2
    first, _ = await joined(alice, north_case.code)
    second, _ = await joined(alice, north_case.code)
    hung = threading.Event()
    real_post = services.messages_post

    def post_after_the_hang(requests):
        hung.wait(10)
        return real_post(requests)

    monkeypatch.setattr(services, "messages_post", post_after_the_hang)
    started = time.monotonic()
    await first.send_json_to({"type": "message.send", "client_id": "a", "body": "Plan reviewed."})
    await asyncio.sleep(0.2)
    await second.send_json_to({"type": "message.send", "client_id": "b", "body": "Plan reviewed."})
    for ws in (first, second):
        while (frame := await ws.receive_json_from(timeout=10))["type"] != "error":
            pass
        assert frame["code"] == "unavailable"
    assert (
        time.monotonic() - started < 3.6
    )  # not 2 s for the first batch and 2 s more for the second
    hung.set()
    for ws in (first, second):
        await ws.disconnect()


async def test_a_sockets_next_posts_into_a_hung_database_are_refused_at_once(
    settings, monkeypatch, alice, north_case
):
    """A socket handles its frames one at a time: once one call has overrun its limit, the next
    post is refused at once instead of waiting out a limit of its own (db_breaker.py), and after
    retry_after the resend goes through."""
    import threading
    import time

    from consult.cases import services

    settings.DB_CALL_TIMEOUT_SECONDS = 2
    ws, _ = await joined(alice, north_case.code)
    hung = threading.Event()
    real_post = services.messages_post

    def post_after_the_hang(requests):
        hung.wait(10)
        return real_post(requests)

    monkeypatch.setattr(services, "messages_post", post_after_the_hang)
    started = time.monotonic()
    for client_id in ("a", "b", "c"):
        await ws.send_json_to({"type": "message.send", "client_id": client_id, "body": "Seen."})
    errors = []
    while len(errors) < 3:
        frame = await ws.receive_json_from(timeout=10)
        if frame["type"] == "error":
            errors.append(frame)
    assert [(e["code"], e["client_id"]) for e in errors] == [
        ("unavailable", "a"),
        ("unavailable", "b"),
        ("unavailable", "c"),
    ]
    assert time.monotonic() - started < 3.5  # one limit (2 s), not one per frame (6 s)
    hung.set()
    monkeypatch.setattr(services, "messages_post", real_post)
    await asyncio.sleep(errors[-1]["retry_after"])
    await ws.send_json_to({"type": "message.send", "client_id": "c", "body": "Seen."})
    while (frame := await ws.receive_json_from(timeout=10))["type"] != "message.ack":
        pass
    assert frame["client_id"] == "c"
    await ws.disconnect()


async def test_a_call_still_waiting_for_a_thread_does_not_open_the_breaker(settings):
    """A busy process is not a hung database: a call whose limit passed while it was queued
    behind others is answered unavailable alone, and the next call goes through."""
    import threading

    from consult.core.errors import Unavailable
    from consult.realtime import workers

    settings.DB_CALL_TIMEOUT_SECONDS = 0.5
    busy = threading.Event()
    occupied = [
        workers.database_threads().submit(busy.wait, 10) for _ in range(settings.DB_THREADS)
    ]
    with pytest.raises(Unavailable):
        await workers.in_db_thread(lambda: "queued")()
    busy.set()
    for future in occupied:
        future.result(timeout=5)
    assert await workers.in_db_thread(lambda: "through")() == "through"


async def test_a_call_that_started_late_in_its_limit_does_not_open_the_breaker(settings):
    """A call that waited most of its limit behind others and overran it by a little says the
    process is busy, not that the database hangs: that caller is answered unavailable, and the
    next call goes through instead of being refused for the breaker's OPEN_SECONDS."""
    import threading
    import time

    from consult.core.errors import Unavailable
    from consult.realtime import workers

    settings.DB_CALL_TIMEOUT_SECONDS = 1
    busy = threading.Event()
    occupied = [
        workers.database_threads().submit(busy.wait, 10) for _ in range(settings.DB_THREADS)
    ]
    threading.Timer(0.85, busy.set).start()  # free at 0.85 s; the call then runs 0.4 s
    with pytest.raises(Unavailable):
        await workers.in_db_thread(time.sleep)(0.4)
    for future in occupied:
        future.result(timeout=5)
    assert await workers.in_db_thread(lambda: "through")() == "through"


async def test_a_handshake_call_waits_its_turn_but_not_behind_a_hung_database(settings):
    """With queue_seconds, a call queued behind busy threads waits past DB_CALL_TIMEOUT_SECONDS
    for its turn (a join in a reconnect storm); once the breaker says the database hangs, a call
    still queued is answered unavailable at once."""
    import threading
    import time

    from consult.core.errors import Unavailable
    from consult.realtime import workers
    from consult.realtime.db_breaker import breaker

    settings.DB_CALL_TIMEOUT_SECONDS = 0.3
    busy = threading.Event()
    occupied = [
        workers.database_threads().submit(busy.wait, 10) for _ in range(settings.DB_THREADS)
    ]
    threading.Timer(0.8, busy.set).start()  # the threads free up after 0.8 s: past the limit
    started = time.monotonic()
    assert await workers.in_db_thread(lambda: "joined", queue_seconds=5)() == "joined"
    assert time.monotonic() - started >= 0.7
    for future in occupied:
        future.result(timeout=5)

    busy.clear()
    occupied = [
        workers.database_threads().submit(busy.wait, 10) for _ in range(settings.DB_THREADS)
    ]
    queued = asyncio.ensure_future(workers.in_db_thread(lambda: "queued", queue_seconds=5)())
    await asyncio.sleep(0.1)
    started = time.monotonic()
    breaker().overran(False)  # meanwhile another call overran: the database hangs
    with pytest.raises(Unavailable):
        await queued
    assert time.monotonic() - started <= workers.queue_check_seconds() + 0.5
    busy.set()
    for future in occupied:
        future.result(timeout=5)
    breaker().settled(True, True)  # the probe answered: closed again for the other tests
