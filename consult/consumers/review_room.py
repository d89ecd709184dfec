"""The live review room socket (/ws/reviews/<id>/): parse a frame, call a service, answer.

Handshake like the case room: a user outside the review's team is refused before `accept`.
Joining an open review records attendance. Only the facilitator's control frames change
anything; anyone else gets a `forbidden` error frame and stays in the room.
"""

from channels.db import database_sync_to_async
from django.conf import settings

from consult.accounts.grants import grant_holds
from consult.consumers.base import ConsultSocket
from consult.core.errors import ConsultError, NotFound
from consult.realtime.broadcast import access_group, session_group
from consult.realtime.protocol import bounded_int, parse_confirmations
from consult.realtime.review_protocol import parse_review_frame
from consult.records.reviews import services
from consult.records.reviews.selectors import review_group


class ReviewRoomConsumer(ConsultSocket):
    review_id = None

    async def connect(self):
        self.user = self.scope["user"]
        self.session_id = self.signed_in_session()
        if self.session_id is None:
            await self.close()
            return
        try:
            review_id = bounded_int(self.scope["url_route"]["kwargs"]["session_id"], "session_id")
            # Join first so no state change (or revocation) between the read and the join is missed.
            await self.join_group(review_group(review_id))
            await self.join_group(session_group(self.scope["session"].session_key))
            await self.join_group(access_group(self.user.pk))
            if not await database_sync_to_async(grant_holds)(self.user, self.session_id):
                raise NotFound("no such review")
            _, state = await database_sync_to_async(services.review_join)(
                actor=self.user, session_id=review_id
            )
        except (ConsultError, ValueError):
            await self.leave_groups()
            await self.close()
            return
        self.review_id = review_id
        await self.accept()
        await self.send_frame(state)
        await self.tell_if_degraded()

    async def disconnect(self, code):
        await self.leave_groups()

    def parse(self, text):
        return parse_review_frame(text, max_bytes=settings.FRAME_MAX_BYTES)

    def closes_socket(self, error):
        # A non-facilitator's control frame is refused, but they stay in the review.
        return isinstance(error, NotFound)

    async def on_agenda_goto(self, frame):
        await database_sync_to_async(services.review_goto)(
            actor=self.user, session_id=self.review_id, position=frame.get("position")
        )

    async def on_minutes_save(self, frame):
        await database_sync_to_async(services.review_minutes_save)(
            actor=self.user,
            session_id=self.review_id,
            position=frame.get("position"),
            text=frame.get("text"),
            confirmations=parse_confirmations(frame.get("confirmations")),
        )

    async def on_review_close(self, frame):
        await database_sync_to_async(services.review_close)(
            actor=self.user, session_id=self.review_id
        )
