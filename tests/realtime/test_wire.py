"""A frame goes straight to the socket only when nothing is queued before it; whatever the socket
does not take, and everything while Twisted holds earlier bytes, keeps its order through Twisted."""

import socket

import pytest

from consult.realtime.wire import text_frame, write_now


class Transport:
    """The parts of a Twisted TCP transport that write_now reads, over a real socket pair."""

    TLS = False

    def __init__(self, sock):
        self.socket = sock
        self.connected = True
        self.dataBuffer, self.offset = b"", 0
        self._tempDataLen = 0
        self.written = []

    def write(self, data):
        self.written.append(bytes(data))
        self._tempDataLen += len(data)


@pytest.fixture
def pair():
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    yield ours, theirs
    ours.close()
    theirs.close()


def test_an_idle_socket_gets_the_frame_in_one_send(pair):
    ours, theirs = pair
    transport, frame = Transport(ours), text_frame('{"type":"message.new"}')
    write_now(transport, frame)
    assert theirs.recv(1024) == frame and transport.written == []


def test_bytes_queued_in_twisted_go_first(pair):
    ours, theirs = pair
    transport = Transport(ours)
    transport.dataBuffer = b"earlier"
    write_now(transport, b"later")
    assert transport.written == [b"later"]
    theirs.setblocking(False)
    with pytest.raises(BlockingIOError):
        theirs.recv(1024)


def test_what_a_full_socket_does_not_take_is_queued_in_order(pair):
    ours, theirs = pair
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    transport = Transport(ours)
    frame = text_frame("x" * 2_000_000)
    write_now(transport, frame)
    [rest] = transport.written
    assert 0 < len(rest) < len(frame) and frame.endswith(rest)
    write_now(transport, b"next")
    assert transport.written == [rest, b"next"]


def test_a_tls_transport_always_writes_through_twisted(pair):
    ours, theirs = pair
    transport = Transport(ours)
    transport.TLS = True
    write_now(transport, b"frame")
    assert transport.written == [b"frame"]


@pytest.mark.django_db(transaction=True)
async def test_a_room_socket_under_daphne_writes_its_frames_straight_to_the_protocol(
    monkeypatch, alice, north_case
):
    """Through the whole ASGI stack (origin check, database guard, sign-in, routing) a case-room
    socket still finds Daphne's protocol behind its send: its room frames skip the per-socket
    reply path. (A wrapper that hid it once sent every delivery the slow way, unnoticed.)"""
    import asyncio
    from functools import partial

    from channels.db import database_sync_to_async
    from django.conf import settings

    from consult.asgi import application
    from consult.consumers.case_room import CaseRoomConsumer
    from consult.realtime.wire import daphne_protocol
    from tests.support.sockets import session_cookie

    class Protocol:
        # Not open yet as far as wire.py can tell: frames take the reply path, recorded below.
        STATE_OPEN, state, transport, _perMessageCompress = 3, 1, None, None

        def sendFrame(self, *args, **kwargs):
            pass

    protocol, replies, writers, sent = Protocol(), [], [], asyncio.Event()

    async def handle_reply(protocol, message):  # Daphne's Server.handle_reply
        replies.append(message)
        if message["type"] == "websocket.send":
            sent.set()

    real_accept = CaseRoomConsumer.accept

    async def accept(self, *args, **kwargs):
        writers.append(daphne_protocol(self.base_send))
        await real_accept(self, *args, **kwargs)

    monkeypatch.setattr(CaseRoomConsumer, "accept", accept)
    cookie = await database_sync_to_async(session_cookie)(alice)
    scope = {
        "type": "websocket",
        "path": f"/ws/cases/{north_case.code}/",
        "query_string": b"",
        "headers": [
            (b"origin", b"http://127.0.0.1:8000"),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "subprotocols": [],
    }
    inbox = asyncio.Queue()
    await inbox.put({"type": "websocket.connect"})
    app = asyncio.create_task(application(scope, inbox.get, partial(handle_reply, protocol)))
    async with asyncio.timeout(5):
        await sent.wait()
    assert writers == [protocol]
    await inbox.put({"type": "websocket.disconnect", "code": 1000})
    async with asyncio.timeout(5):
        await app
