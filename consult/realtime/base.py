"""What every Consult socket shares: typed frames in, typed errors out, forwarding, sign-out.

A subclass names its frame table (`client_frames`) and handles each frame type in an
`on_<type>` method (`message.send` → `on_message_send`). Events from the Channels layer are
either `forward.frame` (relayed verbatim) or named handlers such as `session_ended`.

Revocation (consult/realtime/revocation.py) calls `revoke(code)`: from then on the socket sends
nothing more and refuses every frame, and it closes with the code as soon as it is open.
"""
import asyncio
import logging

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from django.db import InterfaceError, OperationalError

from consult.core.errors import ConsultError, Unavailable
from consult.ops import metrics
from consult.realtime import protocol
from consult.realtime.broadcast import FORWARD, encode
from consult.realtime.wire import frame_writer, text_frame

log = logging.getLogger(__name__)


class ConsultSocket(AsyncWebsocketConsumer):
    client_frames = protocol.CLIENT_FRAMES
    groups_joined = ()
    revoked_code = None  # the close code once access was taken away
    accepted = False

    def parse(self, text):
        return protocol.parse_client_frame(text, max_bytes=settings.FRAME_MAX_BYTES, frames=self.client_frames)

    async def accept(self, subprotocol=None, headers=None):
        await super().accept(subprotocol, headers)
        self.accepted = True
        metrics.sockets_open.labels(type(self).__name__).inc()

    async def websocket_disconnect(self, message):
        if self.accepted:
            self.accepted = False
            metrics.sockets_open.labels(type(self).__name__).dec()
        await super().websocket_disconnect(message)

    def revoke(self, code):
        """Access was taken away: send nothing more, refuse every frame, close with `code`.

        Synchronous (the room hub calls it while delivering); a socket still in its handshake
        is only marked, and its `connect` refuses it.
        """
        if self.revoked_code is not None:
            return
        self.revoked_code = code
        if self.accepted:
            asyncio.ensure_future(self.close(code=code))

    async def access_revoked(self, event):
        self.revoke(event["code"])

    async def receive(self, text_data=None, bytes_data=None):
        if self.revoked_code is not None:
            return  # closing: the frame is refused, and nothing of it is stored
        frame = None
        try:
            frame = self.parse(text_data)
            metrics.frames_in.labels(frame.type).inc()
            await getattr(self, "on_" + frame.type.replace(".", "_"))(frame)
        except ConsultError as error:
            await self.refuse(error, frame)
        except (OperationalError, InterfaceError) as error:
            # The database is away or restarting: a typed answer the client retries, never 1011.
            log.warning("database unavailable for a %s frame (%s)", frame.type if frame else "client",
                        type(error).__name__)
            metrics.database_errors.inc()
            await self.refuse(Unavailable(), frame)

    def closes_socket(self, error):
        return error.closes_socket

    async def refuse(self, error, frame):
        log.info("refused %s frame: %s", type(self).__name__, error.code)  # never the frame: it is clinical
        metrics.frames_refused.labels(error.code).inc()
        client_id = frame.get("client_id") if frame else None
        await self.send_frame(
            protocol.error_frame(error, request_type=frame.type if frame else None, client_id=client_id)
        )
        if self.closes_socket(error):
            await self.close(code=protocol.WS_CLOSE_FORBIDDEN)

    async def on_ping(self, frame):
        await self.send_frame({"type": "pong"})

    async def send_frame(self, frame):
        await self.send_now(encode(frame))

    async def send_now(self, text):
        """Send a serialised frame, straight to the Daphne socket when it is open (wire.py)."""
        if self.revoked_code is not None:
            return
        writer = self.frame_writer()
        if writer is None or not writer(text_frame(text)):
            await self.base_send({"type": "websocket.send", "text": text})

    def frame_writer(self):
        if not hasattr(self, "_frame_writer"):
            self._frame_writer = frame_writer(self.base_send)
        return self._frame_writer

    async def dispatch(self, message):
        # Channels runs aclose_old_connections() (a hop to its one sync thread) before every
        # handler. Handlers here reach the ORM only through database_sync_to_async or
        # in_db_thread, which close stale connections themselves, so every event skips it.
        if message["type"] == FORWARD:
            await self.send_now(message["text"])
            return
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"no handler for message type {message['type']}")
        await handler(message)

    async def session_ended(self, event):
        self.revoke(protocol.WS_CLOSE_SIGNED_OUT)

    async def join_group(self, group):
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = [*self.groups_joined, group]

    async def leave_groups(self):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = ()
