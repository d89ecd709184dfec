"""The case-room socket: parse a frame, call a service, answer. No models here.

Handshake: signed in (consult/accounts/socket_sign_in.py) and origin-checked (routing). A user who
is not a member of the case's team is refused before `accept`, which the server answers with
HTTP 403: the same for a missing case, so nothing about the case leaks.

Room frames, revocations and sign-out reach the socket through this process's room hub
(consult/realtime/hub.py), which sends each pre-serialised frame straight to `send_text`; the
socket has no Channels-layer channel. Database work runs on the socket thread pool (workers.py).
"""

import asyncio
import logging
import uuid

from django.db import DatabaseError

from consult.cases import rooms, services
from consult.cases.access import case_for
from consult.consumers.base import ConsultSocket
from consult.consumers.gap_fill import gap_filler
from consult.consumers.post_batches import post_batches
from consult.consumers.room_batches import (
    join_batches,
    leave_batches,
    refresh_batches,
    room_id_batches,
)
from consult.core.errors import ConsultError, NotFound, Unavailable
from consult.events import frames
from consult.ops import metrics
from consult.realtime import protocol
from consult.realtime.broadcast import case_group, session_group
from consult.realtime.hub import Member, hub
from consult.realtime.workers import in_db_thread

log = logging.getLogger(__name__)

PRESENCE_REFRESH_SECONDS = 30


class CaseRoomConsumer(ConsultSocket):
    # Everything a case-room socket hears comes through the room hub: room frames, revocations
    # and sign-out (Member.session). So it takes no channel of the Channels layer, whose new
    # channel and per-socket receive task were ~0.1 ms of every join's CPU (a plain consumer
    # with and without it, on this machine); its channel_name names it to the hub and in its
    # presence row.
    channel_layer_alias = None
    case_id = None
    checks_access_per_frame = False  # posting, history and read marks check it in their own queries
    # When Redis comes back every member fetches what it missed at once (`live`): its posts
    # must not wait for that read (docs/protocol.md: `history` may come after later acks).
    frames_beside_others = frozenset({"history.fetch"})

    async def __call__(self, scope, receive, send):
        self.channel_name = f"room-socket.{uuid.uuid4().hex}"
        return await super().__call__(scope, receive, send)

    async def connect(self):
        self.user = self.scope["user"]
        self.case_code = self.scope["url_route"]["kwargs"]["code"]
        self.room_group = None
        self.held_frames = []  # room frames that arrive before `room.joined` went out
        self.session_id = self.signed_in_session()
        try:
            after_seq = protocol.parse_after_seq(self.scope["query_string"])
        except ConsultError as error:
            await self.refuse_handshake(error)
            return
        if self.session_id is None:
            await self.close()
            return
        try:
            case, joined = await self._enter(after_seq)
        except Unavailable:
            await self.leave_groups()
            raise  # answered 4503, try again (consult/realtime/handshake_guard.py)
        except ConsultError:
            await self.leave_groups()
            await self.close()
            return
        if self.revoked_code is not None:  # access was taken away while we joined
            await in_db_thread(rooms.room_leave)(channel_name=self.channel_name)
            await self.leave_groups()
            await self.close(code=self.revoked_code)
            return
        self.case_id = case.pk
        await self.accept()
        await self.send_frame(joined)
        held, self.held_frames = self.held_frames, None
        for text in held:
            await self.send_text(text)
        self.presence_task = asyncio.create_task(self._refresh_presence())

    async def _enter(self, after_seq):
        """Subscribe to the room, then join it: (case, the room.joined frame)."""
        case_id = rooms.known_room(self.case_code) or await room_id_batches().call(self.case_code)
        # Subscribe before room_join decides access and reads history (rooms.rooms_of says why);
        # anything that arrives twice is dropped by the client by its sequence number. The
        # socket's session is revoked through the room hub too (Member.session): no Channels
        # group of its own.
        await self._join_room(case_id)
        case, joined = await join_batches().call(
            {
                "actor": self.user,
                "case_code": self.case_code,
                "channel_name": self.channel_name,
                "after_seq": after_seq,
                "session_id": self.session_id,
            }
        )
        if case.pk != case_id:  # the remembered room was another case's (rooms.rooms_of)
            rooms.forget_room(self.case_code)
            await self.leave_groups()
            return await self._enter(after_seq)
        return case, joined

    async def refuse_handshake(self, error):
        """A malformed query: accepted only to say which field, then closed with 4400. Nothing about
        the case is read first, so the answer is the same for members and everyone else."""
        await super().accept()
        await self.send_frame(frames.error(error))
        await self.close(code=protocol.WS_CLOSE_BAD_REQUEST)

    async def disconnect(self, code):
        if self.case_id is None:
            return
        self.presence_task.cancel()
        await self.leave_groups()
        try:
            await leave_batches().call(self.channel_name)
        except (Unavailable, DatabaseError) as error:
            # Presence rows expire by themselves (PRESENCE_TTL_SECONDS): the leave can be lost.
            log.info("a room leave could not reach the database (%s)", type(error).__name__)

    async def on_message_send(self, frame):
        # The sender hears its ack before its own message.new, as it would if room frames
        # queued behind this handler: hold them until the ack is out.
        self.held_frames = []
        try:
            await self._post(frame)
        finally:
            held, self.held_frames = self.held_frames, None
            for text in held:
                await self.send_text(text)

    async def _post(self, frame):
        result = await post_batches().post(
            actor=self.user,
            case_code=self.case_code,
            client_id=frame.get("client_id"),
            body=frame.get("body"),
            corrects_seq=frame.get("corrects"),
            confirmations=protocol.parse_confirmations(frame.get("confirmations")),
            session_id=self.session_id,
        )
        await self.send_frame(frames.message_ack(result.message, duplicate=result.duplicate))
        metrics.posts_acked.inc()

    async def on_history_fetch(self, frame):
        history = await in_db_thread(rooms.room_history)(
            actor=self.user,
            case_code=self.case_code,
            after_seq=frame.get("after_seq"),
            limit=frame.get("limit"),
            session_id=self.session_id,
        )
        await self.send_frame(history)

    async def on_read_mark(self, frame):
        await in_db_thread(services.read_position_mark)(
            actor=self.user,
            case_code=self.case_code,
            seq=frame.get("seq"),
            session_id=self.session_id,
        )

    async def send_text(self, text):
        # What the room hub calls for every room frame: straight to the server, no dispatch.
        if self.held_frames is not None:
            self.held_frames.append(text)
        else:
            await self.send_now(text)

    async def _join_room(self, case_id):
        group = case_group(case_id)
        member = Member(
            send=self.send_text,
            write=self.frame_writer(),
            live=self._live,
            user_id=self.user.pk,
            session=session_group(self.scope["session"].session_key),
            revoke=self.revoke,
            recheck=self.recheck,
        )
        await hub().join(group, self.channel_name, member, fill_gap=gap_filler(case_id))
        self.room_group = group

    async def layer_lost(self):
        pass  # the room hub tells room members itself (consult/realtime/hub.py)

    async def layer_back(self):
        pass  # the room hub rechecks its members' access when it has Redis again

    def access_lost_code(self):
        code = super().access_lost_code()
        if code is None:
            try:
                case_for(self.user, self.case_code)
            except NotFound:
                return protocol.WS_CLOSE_ACCESS_LOST
        return code

    def _live(self):
        return self.held_frames is None and self.revoked_code is None

    def revoke(self, code):
        self.held_frames = None if self.held_frames is None else []  # nothing held goes out now
        super().revoke(code)

    async def leave_groups(self):
        if self.room_group is not None:
            await hub().leave(self.room_group, self.channel_name)
            self.room_group = None
        await super().leave_groups()

    async def _refresh_presence(self):
        while True:
            await asyncio.sleep(PRESENCE_REFRESH_SECONDS)
            try:
                await refresh_batches().call(self.channel_name)
            except (Unavailable, DatabaseError) as error:
                # The next refresh tries again; a row not refreshed in time only expires.
                log.info(
                    "a presence refresh could not reach the database (%s)", type(error).__name__
                )
