"""The personal notification socket (/ws/me/): pages, consult states and reminders for one user.

Every open tab or device of a user joins `user.<id>`, so a page rings on all of them. On each
(re)connect the socket first sends a `dashboard.snapshot` read from the database, which is the
truth: a frame dropped while a device was away is never needed to catch up.
"""
from channels.db import database_sync_to_async

from consult.oncall.consults import page_mark_seen
from consult.oncall.selectors import dashboard_snapshot
from consult.realtime import protocol
from consult.realtime.base import ConsultSocket
from consult.realtime.broadcast import access_group, session_group, user_group


class NotificationConsumer(ConsultSocket):
    client_frames = protocol.NOTIFICATION_FRAMES

    async def connect(self):
        self.user = self.scope["user"]
        if not self.user.is_authenticated:
            await self.close()
            return
        # Join before reading the snapshot, so nothing published in between is missed.
        await self.join_group(user_group(self.user.pk))
        await self.join_group(session_group(self.scope["session"].session_key))
        await self.join_group(access_group(self.user.pk))
        await self.accept()
        await self.send_frame(await database_sync_to_async(dashboard_snapshot)(self.user))
        await self.tell_if_degraded()

    async def resync(self):
        # Pages sent while Redis was away reached nobody: the database still has them.
        await self.send_frame(await database_sync_to_async(dashboard_snapshot)(self.user))

    async def disconnect(self, code):
        await self.leave_groups()

    def closes_socket(self, error):
        return False  # a refused frame (a page that is not yours) must not silence your pages

    async def on_page_seen(self, frame):
        await database_sync_to_async(page_mark_seen)(actor=self.user, page_id=frame.get("page_id"))
