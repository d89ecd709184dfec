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
