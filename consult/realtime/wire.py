"""One websocket frame, built once per room message, written to every local Daphne socket.

Server-to-client frames are not masked, so a room's frame is the same bytes for every member.
Going through `send` costs each socket a pass through Channels' session wrapper, Daphne's
reply handler and autobahn's framing; here the frame is built once and handed to each socket's
Twisted transport. Only for an open, uncompressed Daphne socket: anything else (the test
communicator, a closing socket) takes the ordinary `send`.
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
    """The autobahn protocol behind a consumer's base_send (through Channels' session wrapper)."""
    send = getattr(getattr(base_send, "__self__", None), "real_send", base_send)
    if isinstance(send, partial) and send.args and hasattr(send.args[0], "sendFrame"):
        return send.args[0]
    return None


def frame_writer(base_send):
    """write(frame) -> True if written straight to the socket's transport; None if never possible."""
    protocol = daphne_protocol(base_send)
    if protocol is None:
        return None

    def write(frame):
        transport = protocol.transport
        if (protocol.state != protocol.STATE_OPEN or protocol._perMessageCompress is not None
                or transport is None or transport.disconnecting):
            return False
        transport.write(frame)
        return True

    return write
