"""What every Consult socket shares: typed frames in, typed errors out, forwarding, sign-out.

A subclass names its frame table (`client_frames`) and handles each frame type in an
`on_<type>` method (`message.send` → `on_message_send`). Events from the Channels layer are
either `forward.frame` (relayed verbatim) or named handlers such as `session_ended`.

Revocation (consult/realtime/revocation.py) calls `revoke(code)`: from then on the socket sends
nothing more and refuses every frame, and it closes with the code as soon as it is open.

Flood control (consult/realtime/limits.py), before a frame is even parsed: each socket spends a
token per frame; without one the frame is dropped with a `rate_limited` error, and
WS_FLOOD_CLOSE_AFTER such refusals in a row close the socket with 4429. A user's
WS_MAX_SOCKETS_PER_USER+1st socket in this process is refused at the handshake (HTTP 403).
"""

import asyncio
import logging

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import InterfaceError, OperationalError

from consult.accounts.grants import grant_holds
from consult.accounts.sessions import SESSION_ROW, activity_write_seconds
from consult.accounts.standing import sign_in_lost_code
from consult.consumers.session_touches import session_touches
from consult.core.errors import AccessDenied, ConsultError, RateLimited, Unavailable
from consult.events import frames
from consult.ops import metrics
from consult.realtime import protocol
from consult.realtime.broadcast import FORWARD
from consult.realtime.layer_outage import receive_shard_answers, receive_through_outages
from consult.realtime.limits import TokenBucket, open_sockets
from consult.realtime.wire import frame_writer, text_frame
from consult.realtime.workers import BACKGROUND, in_db_thread

# Frames a browser sends by itself (the heartbeat; read marks as messages arrive in a visible
# tab): they are not a person's activity, so they do not keep an idle session alive.
PASSIVE_FRAMES = {"ping", "read.mark"}

log = logging.getLogger(__name__)


class ConsultSocket(AsyncWebsocketConsumer):
    client_frames = protocol.CLIENT_FRAMES
    groups_joined = ()
    revoked_code = None  # the close code once access was taken away
    accepted = False
    flooded = False  # closed for flooding: later frames are dropped unread
    user_id = None  # whose socket slot this holds (open_sockets)
    session_id = None  # the UserSession this socket was opened under (consult/accounts/sessions.py)
    checks_access_per_frame = True  # False where every service a frame reaches checks it itself
    # Frames answered beside the others (one of them at a time) rather than in turn: reads that
    # may wait behind a crowd of other sockets' reads must not hold up this socket's posts.
    frames_beside_others = frozenset()
    activity_written_at = float("-inf")

    def signed_in_session(self):
        """The socket's UserSession id, or None: a socket needs a tracked, signed-in session.
        (The session was loaded by the auth middleware: no query here.)"""
        if not self.scope["user"].is_authenticated:
            return None
        return self.scope["session"].get(SESSION_ROW)

    layer_degraded = (
        False  # the Channels layer (Redis) is away: see consult/realtime/layer_outage.py
    )

    # Channels sets this to the layer's receive in __call__; wrapped, a Redis outage leaves the
    # socket open (degraded) instead of ending the consumer with 1011.
    @property
    def channel_receive(self):
        return self._channel_receive

    @channel_receive.setter
    def channel_receive(self, receive):
        self._channel_receive = receive_through_outages(receive, self)

    def parse(self, text):
        return protocol.parse_client_frame(
            text, max_bytes=settings.FRAME_MAX_BYTES, frames=self.client_frames
        )

    async def accept(self, subprotocol=None, headers=None):
        await super().accept(subprotocol, headers)
        self.accepted = True
        metrics.sockets_open.labels(type(self).__name__).inc()

    async def websocket_connect(self, message):
        self.bucket = TokenBucket(rate=settings.WS_FRAMES_PER_SECOND, burst=settings.WS_FRAME_BURST)
        self.refused_in_a_row = 0
        self.beside_others = asyncio.Lock()  # frames_beside_others, one at a time
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            if not open_sockets.claim(
                user.pk, self.channel_name, cap=settings.WS_MAX_SOCKETS_PER_USER
            ):
                log.info(
                    "refused a socket of user %s: %s open",
                    user.pk,
                    settings.WS_MAX_SOCKETS_PER_USER,
                )
                await self.close()
                return
            self.user_id = user.pk
        try:
            await super().websocket_connect(message)
        finally:
            if not self.accepted:
                self._release_slot()

    async def tell_if_degraded(self):
        """After a socket's first frame: it opened while Redis was away (join_group)."""
        if self.layer_degraded:
            await self.send_now(protocol.DEGRADED)

    async def websocket_disconnect(self, message):
        self._release_slot()
        if self.accepted:
            self.accepted = False
            metrics.sockets_open.labels(type(self).__name__).dec()
        await super().websocket_disconnect(message)

    def _release_slot(self):
        if self.user_id is not None:
            open_sockets.release(self.user_id, self.channel_name)
            self.user_id = None

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
        if self.revoked_code is not None or self.flooded:
            return  # closing: the frame is refused, and nothing of it is stored
        wait = self.bucket.take()
        if wait:
            await self.refuse_flood(wait, text_data)
            return
        self.refused_in_a_row = 0
        try:
            frame = self.parse(text_data)
        except ConsultError as error:
            await self.refuse(error, None)
            return
        metrics.frames_in.labels(frame.type).inc()
        if frame.type in self.frames_beside_others:
            asyncio.ensure_future(self._handle_one_at_a_time(frame))
        else:
            await self.handle(frame)

    async def _handle_one_at_a_time(self, frame):
        async with self.beside_others:
            await self.handle(frame)

    async def handle(self, frame):
        """Check, dispatch to `on_<type>`, and answer any refusal with a typed error."""
        try:
            if (
                frame.type != "ping"
                and self.checks_access_per_frame
                and not await in_db_thread(grant_holds)(self.user, self.session_id)
            ):
                raise AccessDenied("your access has ended")
            self.note_activity(frame.type)
            await getattr(self, "on_" + frame.type.replace(".", "_"))(frame)
        except ConsultError as error:
            await self.refuse(error, frame)
        except (OperationalError, InterfaceError) as error:
            # The database is away or restarting: a typed answer the client retries, never 1011.
            log.warning(
                "database unavailable for a %s frame (%s)",
                frame.type,
                type(error).__name__,
            )
            metrics.database_errors.inc()
            await self.refuse(Unavailable(), frame)

    def closes_socket(self, error):
        return error.closes_socket

    async def refuse(self, error, frame):
        log.info(
            "refused %s frame: %s", type(self).__name__, error.code
        )  # never the frame: it is clinical
        metrics.frames_refused.labels(error.code).inc()
        request_type = frame.type if frame else error.request
        client_id = frame.get("client_id") if frame else error.client_id
        await self.send_frame(frames.error(error, request=request_type, client_id=client_id))
        if self.closes_socket(error):
            await self.close(code=protocol.WS_CLOSE_FORBIDDEN)

    async def refuse_flood(self, wait, text):
        """Over budget: the frame is dropped unprocessed;
        going on past WS_FLOOD_CLOSE_AFTER closes."""
        self.refused_in_a_row += 1
        if self.refused_in_a_row > settings.WS_FLOOD_CLOSE_AFTER:
            self.flooded = True
            log.warning("closed a %s of user %s for flooding", type(self).__name__, self.user_id)
            await self.close(code=protocol.WS_CLOSE_RATE_LIMITED)
            return
        error = RateLimited(retry_after=max(0.001, round(wait, 3)))
        error.request, error.client_id = protocol.frame_context(protocol.peek(text))
        await self.refuse(error, None)

    def note_activity(self, frame_type):
        """A person acted on this socket: it keeps the session alive, written at most once a
        minute per socket (activity_write_seconds)."""
        if frame_type in PASSIVE_FRAMES:
            return
        now = asyncio.get_running_loop().time()
        if now - self.activity_written_at >= activity_write_seconds():
            self.activity_written_at = now
            if self.session_id is not None:
                session_touches().note(self.session_id)

    async def on_ping(self, frame):
        await self.send_frame(frames.pong())

    async def send_frame(self, frame):
        """Send a Frame (consult/events/frames.py): nothing else is encoded."""
        await self.send_now(frames.encode(frame))

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
        self.groups_joined = [*self.groups_joined, group]
        try:
            await self.channel_layer.group_add(group, self.channel_name)
        except Exception as error:  # noqa: BLE001 - Redis away: the socket opens degraded and rejoins when it is back
            if not self.layer_degraded:
                log.warning(
                    "%s opens without the channel layer (%s)",
                    type(self).__name__,
                    type(error).__name__,
                )
            self.layer_degraded = True

    async def rejoin_groups(self):
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await receive_shard_answers(self.channel_layer, self.channel_name)

    async def layer_lost(self):
        if self.accepted:
            await self.send_now(protocol.DEGRADED)

    async def layer_back(self):
        """Decide access again (a revocation sent while Redis was away reached nobody), then
        tell the client to resynchronise: its fresh handshake sends all it missed."""
        if await self.access_rechecked() and self.accepted:
            await self.resync()
            await self.send_now(protocol.LIVE)

    async def resync(self):
        """What a socket sends of its own accord when live delivery is back (nothing by default)."""

    def recheck(self):
        asyncio.ensure_future(self.access_rechecked())

    async def access_rechecked(self):
        """Decide access again from the database; closes the socket and returns False if it is
        gone."""
        try:
            code = await in_db_thread(self.access_lost_code, priority=BACKGROUND)()
        except Exception:  # noqa: BLE001 - the database decides at the next frame instead
            code = None
        if code is not None:
            self.revoke(code)
        return self.revoked_code is None

    def access_lost_code(self):
        """The close code for this socket now, or None (runs in a database thread)."""
        return sign_in_lost_code(
            user_id=self.user.pk, session_key=self.scope["session"].session_key
        )

    async def leave_groups(self):
        groups, self.groups_joined = self.groups_joined, ()
        for group in groups:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception as error:  # noqa: BLE001 - Redis away: its group entries expire by themselves
                log.info("leaving a group failed (%s)", type(error).__name__)
