"""The personal notification socket (/ws/me/): pages, consult states and reminders for one user.

Every open tab or device of a user joins `user.<id>`, so a page rings on all of them. On each
(re)connect the socket first sends a `dashboard.snapshot` read from the database, which is the
truth: a frame dropped while a device was away is never needed to catch up.
"""
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from consult.core.errors import ConsultError
from consult.oncall.consults import page_mark_seen
from consult.oncall.selectors import dashboard_snapshot
from consult.realtime import protocol
from consult.realtime.broadcast import FORWARD, encode, session_group, user_group

log = logging.getLogger(__name__)


class NotificationConsumer(AsyncWebsocketConsumer):
    groups_joined = ()

    async def connect(self):
        self.user = self.scope["user"]
        if not self.user.is_authenticated:
            await self.close()
            return
        self.groups_joined = [user_group(self.user.pk), session_group(self.scope["session"].session_key)]
        # Join before reading the snapshot, so nothing published in between is missed.
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send(text_data=encode(await database_sync_to_async(dashboard_snapshot)(self.user)))

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        frame = None
        try:
            frame = protocol.parse_client_frame(text_data, max_bytes=settings.FRAME_MAX_BYTES,
                                                frames=protocol.NOTIFICATION_FRAMES)
            await getattr(self, "on_" + frame.type.replace(".", "_"))(frame)
        except ConsultError as error:
            log.info("refused notification frame: %s", error.code)
            await self.send(text_data=encode(protocol.error_frame(error, request_type=frame.type if frame else None)))

    async def on_page_seen(self, frame):
        await database_sync_to_async(page_mark_seen)(actor=self.user, page_id=frame.get("page_id"))

    async def on_ping(self, frame):
        await self.send(text_data=encode({"type": "pong"}))

    async def dispatch(self, message):
        # Forwarding touches no database: skip Channels' per-message connection clean-up hop.
        if message["type"] == FORWARD:
            await self.send(text_data=message["text"])
        else:
            await super().dispatch(message)

    async def session_ended(self, event):
        await self.close(code=protocol.WS_CLOSE_SESSION_ENDED)
