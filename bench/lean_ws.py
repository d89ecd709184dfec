"""A lean WebSocket client for the load generators: RFC 6455 over a plain asyncio Protocol.

The benches run on the same two cores as the servers they measure, so every microsecond the
load generator spends is taken from them. With the `websockets` library, each frame received
went through its parser generator, its message assembler and queue, and a future per `recv`:
at 1,000 msg/s in rooms of 10 (10,000 frames a second) bench/load.py used 33-42 % of a core,
as much as a third of what both Daphne processes got, and about 30 % of its samples were that
machinery (py-spy). Here `data_received` cuts the frames out of the buffer and hands each text
payload to a callback: no task, queue or future per frame.

What it does: the opening handshake (checking the 101 and Sec-WebSocket-Accept), unmasked
server frames of any length, fragmented messages, answering pings and the closing handshake,
and masked client frames. No extensions (no compression is asked for), no subprotocols.
"""

import asyncio
import base64
import hashlib
import os
import ssl
import struct
from urllib.parse import urlsplit

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CONTINUATION, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA


class Closed(Exception):
    """The socket has closed (or never opened): `code` is the close code heard, if any."""

    def __init__(self, code=None, reason=""):
        super().__init__(f"closed {code or 1006} {reason}".strip())
        self.code = code


class HandshakeRefused(Exception):
    pass


class LeanSocket(asyncio.Protocol):
    def __init__(self, request, key):
        loop = asyncio.get_running_loop()
        self.request, self.key = request, key
        self.buffer = bytearray()
        self.fragments = None  # (opcode, [payload, ...]) of a fragmented message
        self.opened, self.closed = loop.create_future(), loop.create_future()
        self.on_text = None  # set by listen(); frames before that wait in `pending`
        self.pending = []
        self.first_text = loop.create_future()
        for future in (self.opened, self.first_text):  # a failure nobody awaits is no warning
            future.add_done_callback(_retrieved)
        self.transport = None
        self.handshaken = False
        self.close_code = None

    # asyncio.Protocol

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data):
        self.buffer += data
        if not self.handshaken and not self._handshake():
            return
        self._frames()

    def connection_lost(self, exc):
        error = Closed(self.close_code)
        if not self.opened.done():
            self.opened.set_exception(error)
        if not self.first_text.done():
            self.first_text.set_exception(error)
        if not self.closed.done():
            self.closed.set_result(self.close_code)

    # the socket

    def listen(self, on_text):
        """Hand every text message from now on (and any that came since the first) to
        on_text(payload bytes)."""
        self.on_text = on_text
        pending, self.pending = self.pending, []
        for payload in pending:
            on_text(payload)

    def send_text(self, text):
        if self.closed.done() or self.transport.is_closing():
            raise Closed(self.close_code)
        self._send(TEXT, text.encode())

    async def close(self, code=1000, wait_seconds=2):
        if not self.closed.done() and not self.transport.is_closing():
            self._send(CLOSE, struct.pack("!H", code))
            try:
                await asyncio.wait_for(asyncio.shield(self.closed), wait_seconds)
            except TimeoutError:
                pass
        self.transport.close()

    # inside

    def _handshake(self):
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        del self.buffer[: end + 4]
        status = head[0].split(" ", 2)
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        accept = base64.b64encode(hashlib.sha1(self.key + GUID).digest()).decode()
        if len(status) < 2 or status[1] != "101":
            self._fail(HandshakeRefused(f"HTTP {status[1] if len(status) > 1 else '?'}"))
            return False
        if headers.get("sec-websocket-accept") != accept:
            self._fail(HandshakeRefused("wrong Sec-WebSocket-Accept"))
            return False
        self.handshaken = True
        self.opened.set_result(None)
        return True

    def _fail(self, error):
        if not self.opened.done():
            self.opened.set_exception(error)
        self.transport.close()

    def _frames(self):
        buffer, pos, size = self.buffer, 0, len(self.buffer)
        while size - pos >= 2:
            first, second = buffer[pos], buffer[pos + 1]
            length, start = second & 0x7F, pos + 2
            if length == 126:
                if size - pos < 4:
                    break
                length, start = int.from_bytes(buffer[pos + 2 : pos + 4], "big"), pos + 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, start = int.from_bytes(buffer[pos + 2 : pos + 10], "big"), pos + 10
            if second & 0x80:  # a server never masks: protocol error (RFC 6455 5.1)
                self._send(CLOSE, struct.pack("!H", 1002))
                self.transport.close()
                return
            if size - start < length:
                break
            payload = bytes(buffer[start : start + length])
            pos = start + length
            self._frame(first & 0x80, first & 0x0F, payload)
        del buffer[:pos]

    def _frame(self, fin, opcode, payload):
        if opcode in (TEXT, BINARY):
            if fin:
                self._message(opcode, payload)
            else:
                self.fragments = (opcode, [payload])
        elif opcode == CONTINUATION and self.fragments is not None:
            self.fragments[1].append(payload)
            if fin:
                kind, parts = self.fragments
                self.fragments = None
                self._message(kind, b"".join(parts))
        elif opcode == PING:
            self._send(PONG, payload)
        elif opcode == CLOSE:
            self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            if not self.transport.is_closing():
                self._send(CLOSE, payload[:2])
                self.transport.close()

    def _message(self, opcode, payload):
        if opcode != TEXT:
            return  # Consult sends text frames only
        if not self.first_text.done():
            self.first_text.set_result(payload)
        elif self.on_text is not None:
            self.on_text(payload)
        else:
            self.pending.append(payload)

    def _send(self, opcode, payload):
        size = len(payload)
        if size < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
        elif size < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
        mask = os.urandom(4)
        # XOR with the repeated key as one big integer: one C-level operation, not a loop.
        key = (mask * (size // 4 + 1))[:size]
        masked = (int.from_bytes(payload, "little") ^ int.from_bytes(key, "little")).to_bytes(
            size, "little"
        )
        self.transport.write(header + mask + masked)


def _retrieved(future):
    if not future.cancelled():
        future.exception()


async def connect(url, *, origin, headers=(), open_seconds=30):
    """Open a socket to `url` (ws://, wss://, http:// or https://): a LeanSocket, once open and
    its first text message is in, within `open_seconds`: (socket, first payload). Raises
    HandshakeRefused, Closed or TimeoutError."""
    parts = urlsplit(url)
    secure = parts.scheme in ("wss", "https")
    host, port = parts.hostname, parts.port or (443 if secure else 80)
    key = base64.b64encode(os.urandom(16))
    lines = [
        f"GET {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key.decode()}",
        "Sec-WebSocket-Version: 13",
        f"Origin: {origin}",
        *(f"{name}: {value}" for name, value in headers),
    ]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(open_seconds):
        _, socket = await loop.create_connection(
            lambda: LeanSocket(request, key),
            host,
            port,
            ssl=ssl.create_default_context() if secure else None,
        )
        try:
            await socket.opened
            first = await socket.first_text
        except BaseException:
            socket.transport.close()
            raise
    return socket, first
