"""The live review room socket (/ws/reviews/<id>/): parse a frame, call a service, answer.

Handshake like the case room: a user outside the review's team is refused before `accept`.
Joining an open review records attendance. Only the facilitator's control frames change
anything; anyone else gets a `forbidden` error frame and stays in the room.
"""
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from consult.core.errors import ConsultError, NotFound
from consult.realtime import protocol
from consult.realtime.broadcast import FORWARD, encode, session_group
from consult.realtime.review_protocol import parse_review_frame
from consult.reviews import services
from consult.reviews.selectors import review_group

log = logging.getLogger(__name__)


class ReviewRoomConsumer(AsyncWebsocketConsumer):
    session_id = None

    async def connect(self):
        self.user = self.scope["user"]
        self.groups_joined = []
        try:
            session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
            # Join first so no state change between the read and the join is missed.
            await self._join_group(review_group(session_id))
            _, state = await database_sync_to_async(services.review_join)(actor=self.user, session_id=session_id)
        except (ConsultError, ValueError):
            await self._leave_groups()
            await self.close()
            return
        await self._join_group(session_group(self.scope["session"].session_key))
        self.session_id = session_id
        await self.accept()
        await self.send(text_data=encode(state))

    async def disconnect(self, code):
        await self._leave_groups()

    async def receive(self, text_data=None, bytes_data=None):
        frame = None
        try:
            frame = parse_review_frame(text_data, max_bytes=settings.FRAME_MAX_BYTES)
            await getattr(self, "on_" + frame.type.replace(".", "_"))(frame)
        except ConsultError as error:
            log.info("refused review frame: %s", error.code)  # the code only: minutes are clinical text
            await self.send(text_data=encode(protocol.error_frame(error, request_type=frame and frame.type)))
            if isinstance(error, NotFound):
                await self.close(code=protocol.WS_CLOSE_FORBIDDEN)

    async def on_agenda_goto(self, frame):
        await database_sync_to_async(services.review_goto)(
            actor=self.user, session_id=self.session_id, position=frame.get("position"))

    async def on_minutes_save(self, frame):
        await database_sync_to_async(services.review_minutes_save)(
            actor=self.user, session_id=self.session_id, position=frame.get("position"), text=frame.get("text"))

    async def on_review_close(self, frame):
        await database_sync_to_async(services.review_close)(actor=self.user, session_id=self.session_id)

    async def on_ping(self, frame):
        await self.send(text_data=encode({"type": "pong"}))

    async def dispatch(self, message):
        if message["type"] == FORWARD:
            await self.send(text_data=message["text"])
        else:
            await super().dispatch(message)

    async def session_ended(self, event):
        await self.close(code=protocol.WS_CLOSE_SESSION_ENDED)

    async def _join_group(self, group):
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.append(group)

    async def _leave_groups(self):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = []
