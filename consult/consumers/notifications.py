"""The personal notification socket (/ws/me/): pages, consult states and reminders for one user.

Every open tab or device of a user joins `user.<id>`, so a page rings on all of them. On each
(re)connect the socket first sends a `dashboard.snapshot` read from the database, which is the
truth: a frame dropped while a device was away is never needed to catch up.
"""

from channels.db import database_sync_to_async

from consult.accounts.grants import grant_holds
from consult.consumers.base import ConsultSocket
from consult.oncall.consults import page_mark_seen
from consult.oncall.selectors import dashboard_snapshot
from consult.realtime import protocol
from consult.realtime.broadcast import access_group, session_group, team_group, user_group
from consult.realtime.hub import Member, hub


def _team_ids(user):
    return list(user.memberships.values_list("team_id", flat=True))


class NotificationConsumer(ConsultSocket):
    """Also a member of its user's teams' activity groups (`team.<id>`, through the room hub):
    `case.activity` and `case.consult` frames keep the case list live. Removal from a team
    revokes the socket (4403), so a reconnect joins the teams the user has then."""

    client_frames = protocol.NOTIFICATION_FRAMES
    team_groups = ()

    async def connect(self):
        self.user = self.scope["user"]
        self.session_id = self.signed_in_session()
        if self.session_id is None:
            await self.close()
            return
        # Join before reading the snapshot (and checking access), so nothing published in
        # between (a revocation included) is missed.
        await self.join_group(user_group(self.user.pk))
        await self.join_group(session_group(self.scope["session"].session_key))
        await self.join_group(access_group(self.user.pk))
        if not await database_sync_to_async(grant_holds)(self.user, self.session_id):
            await self.leave_groups()
            await self.close()
            return
        await self.accept()
        for team_id in await database_sync_to_async(_team_ids)(self.user):
            await self._join_team(team_group(team_id))
        await self.send_frame(await database_sync_to_async(dashboard_snapshot)(self.user))
        await self.tell_if_degraded()

    async def resync(self):
        # Pages sent while Redis was away reached nobody: the database still has them.
        await self.send_frame(await database_sync_to_async(dashboard_snapshot)(self.user))

    async def _join_team(self, group):
        member = Member(
            send=self.send_now,
            write=self.frame_writer(),
            live=lambda: self.revoked_code is None,
            user_id=self.user.pk,
            session=session_group(self.scope["session"].session_key),
            revoke=self.revoke,
            recheck=self.recheck,
        )
        await hub().join(group, self.channel_name, member)
        self.team_groups = [*self.team_groups, group]

    async def disconnect(self, code):
        await self.leave_groups()

    async def leave_groups(self):
        for group in self.team_groups:
            await hub().leave(group, self.channel_name)
        self.team_groups = ()
        await super().leave_groups()

    def closes_socket(self, error):
        return False  # a refused frame (a page that is not yours) must not silence your pages

    async def on_page_seen(self, frame):
        await database_sync_to_async(page_mark_seen)(actor=self.user, page_id=frame.get("page_id"))
