"""One websocket frame, built once per room message, written to every local Daphne socket.

Server-to-client frames are not masked, so a room's frame is the same bytes for every member.
Going through `send` costs each socket a pass through Channels' session wrapper, Daphne's
reply handler and autobahn's framing; here the frame is built once and handed to each socket's
Twisted transport. Only for an open, uncompressed Daphne socket: anything else (the test
communicator, a closing socket) takes the ordinary `send`.

When nothing is queued on the transport, the frame goes to the socket at once. Twisted's
`transport.write` buffers instead: it registers the socket for writability (an epoll_ctl
call), writes on the next reactor turn and unregisters (another), three system calls per
frame where one does; at thousands of deliveries a second those calls were a fifth of a
process's CPU. Whatever the socket does not take at once is queued through Twisted as usual.
"""

import struct
from functools import partial

TEXT_FIN = 0x81


def text_frame(text):
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((TEXT_FIN, size))
    elif size < 1 << 16:
        header = struct.pack("!BBH", TEXT_FIN, 126, size)
    else:
        header = struct.pack("!BBQ", TEXT_FIN, 127, size)
    return header + payload


def daphne_protocol(base_send):
    """The autobahn protocol behind a consumer's base_send: Daphne's `partial(handle_reply,
    protocol)`, found through every ASGI wrapper between them that keeps the send it wraps as
    `real_send` (Channels' session wrapper, consult/realtime/handshake_guard.py)."""
    send = base_send
    for _ in range(MAX_WRAPPERS):
        inner = getattr(send, "real_send", None) or getattr(
            getattr(send, "__self__", None), "real_send", None
        )
        if inner is None:
            break
        send = inner
    if isinstance(send, partial) and send.args and hasattr(send.args[0], "sendFrame"):
        return send.args[0]
    return None


MAX_WRAPPERS = 8


def frame_writer(base_send):
    """write(frame) -> True if written straight to the socket's transport;
    None if never possible."""
    protocol = daphne_protocol(base_send)
    if protocol is None:
        return None

    def write(frame):
        transport = protocol.transport
        if (
            protocol.state != protocol.STATE_OPEN
            or protocol._perMessageCompress is not None
            or transport is None
            or transport.disconnecting
        ):
            return False
        write_now(transport, frame)
        return True

    return write


def write_now(transport, data):
    """transport.write(data), sending straight to the socket when nothing is queued before it."""
    sock = getattr(transport, "socket", None)
    idle = (
        sock is not None
        and getattr(transport, "connected", False)
        and not transport._tempDataLen
        and len(transport.dataBuffer) == transport.offset
        and not getattr(transport, "TLS", False)
    )
    if idle:
        try:
            sent = sock.send(data)
        except BlockingIOError:
            sent = 0
        except OSError:
            sent = 0  # the connection is going: Twisted's own write path notices and closes it
        if sent == len(data):
            return
        data = data[sent:]
    transport.write(data)
