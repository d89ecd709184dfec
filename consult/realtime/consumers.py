"""The case-room socket: parse a frame, call a service, answer. No models here.

Handshake: session-authenticated (AuthMiddlewareStack) and origin-checked (routing). A user who
is not a member of the case's team is refused before `accept`, which the server answers with
HTTP 403: the same for a missing case, so nothing about the case leaks.

Room frames reach the socket through this process's room hub (consult/realtime/hub.py), which
sends each pre-serialised frame straight to `send_text`; the session group (sign-out) still
comes through the Channels layer. Database work runs on the socket thread pool (workers.py).
"""
import asyncio
import logging

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from consult.cases import rooms, services
from consult.cases.access import case_for_member
from consult.core.errors import ConsultError
from consult.realtime import protocol
from consult.realtime.broadcast import FORWARD, case_group, encode, session_group
from consult.realtime.hub import Member, hub
from consult.realtime.wire import frame_writer
from consult.realtime.workers import in_db_thread

log = logging.getLogger(__name__)

PRESENCE_REFRESH_SECONDS = 30


class CaseRoomConsumer(AsyncWebsocketConsumer):
    case_id = None

    async def connect(self):
        self.user = self.scope["user"]
        self.case_code = self.scope["url_route"]["kwargs"]["code"]
        self.groups_joined = []
        self.room_group = None
        self.held_frames = []  # room frames that arrive before `room.joined` went out
        try:
            after_seq = protocol.parse_after_seq(self.scope["query_string"])
            case = await in_db_thread(case_for_member)(self.user, self.case_code)
        except ConsultError:
            await self.close()
            return
        # Join the group before reading history, so nothing posted in between is missed;
        # anything that arrives twice is dropped by the client by its sequence number.
        await self._join_room(case_group(case.pk))
        await self._join_group(session_group(self.scope["session"].session_key))
        try:
            case, joined = await in_db_thread(rooms.room_join)(
                actor=self.user, case_code=self.case_code, channel_name=self.channel_name, after_seq=after_seq
            )
        except ConsultError:
            await self._leave_groups()
            await self.close()
            return
        self.case_id = case.pk
        await self.accept()
        await self.send_frame(joined)
        held, self.held_frames = self.held_frames, None
        for text in held:
            await self.send_text(text)
        self.presence_task = asyncio.create_task(self._refresh_presence())

    async def disconnect(self, code):
        if self.case_id is None:
            return
        self.presence_task.cancel()
        await self._leave_groups()
        await in_db_thread(rooms.room_leave)(channel_name=self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        frame = None
        try:
            frame = protocol.parse_client_frame(text_data, max_bytes=settings.FRAME_MAX_BYTES)
            await getattr(self, "on_" + frame.type.replace(".", "_"))(frame)
        except ConsultError as error:
            await self._refuse(error, frame)

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
        result = await in_db_thread(services.message_post)(
            actor=self.user,
            case_code=self.case_code,
            client_id=frame.get("client_id"),
            body=frame.get("body"),
            corrects_seq=frame.get("corrects"),
            confirmations=protocol.parse_confirmations(frame.get("confirmations")),
        )
        await self.send_frame(
            {"type": "message.ack", "client_id": result.message.client_id, "seq": result.message.seq,
             "duplicate": result.duplicate}
        )

    async def on_history_fetch(self, frame):
        history = await in_db_thread(rooms.room_history)(
            actor=self.user, case_code=self.case_code, after_seq=frame.get("after_seq"), limit=frame.get("limit")
        )
        await self.send_frame(history)

    async def on_read_mark(self, frame):
        await in_db_thread(services.read_position_mark)(
            actor=self.user, case_code=self.case_code, seq=frame.get("seq")
        )

    async def on_ping(self, frame):
        await self.send_frame({"type": "pong"})

    async def dispatch(self, message):
        # Channels runs aclose_old_connections() (a hop to its one sync thread) before every
        # handler. Nothing here touches the ORM outside in_db_thread, which closes stale
        # connections itself, so every frame in or out skips that hop.
        if message["type"] == FORWARD:
            await self.send(text_data=message["text"])
            return
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"no handler for message type {message['type']}")
        await handler(message)

    async def session_ended(self, event):
        await self.close(code=protocol.WS_CLOSE_SESSION_ENDED)

    async def send_text(self, text):
        # What the room hub calls for every room frame: straight to the server, no dispatch.
        if self.held_frames is not None:
            self.held_frames.append(text)
        else:
            await self.base_send({"type": "websocket.send", "text": text})

    async def send_frame(self, frame):
        await self.base_send({"type": "websocket.send", "text": encode(frame)})

    async def _refuse(self, error, frame):
        log.info("refused frame: %s", error.code)  # the code only: frames carry clinical text
        client_id = frame.get("client_id") if frame else None
        await self.send_frame(
            protocol.error_frame(error, request_type=frame.type if frame else None, client_id=client_id)
        )
        if error.closes_socket:
            await self.close(code=protocol.WS_CLOSE_FORBIDDEN)

    async def _join_room(self, group):
        member = Member(send=self.send_text, write=frame_writer(self.base_send), live=self._live)
        await hub().join(group, self.channel_name, member)
        self.room_group = group

    def _live(self):
        return self.held_frames is None

    async def _join_group(self, group):
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.append(group)

    async def _leave_groups(self):
        if self.room_group is not None:
            await hub().leave(self.room_group, self.channel_name)
            self.room_group = None
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = []

    async def _refresh_presence(self):
        while True:
            await asyncio.sleep(PRESENCE_REFRESH_SECONDS)
            await in_db_thread(rooms.presence_refresh)(channel_name=self.channel_name)
