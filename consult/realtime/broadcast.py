"""Publishing to sockets, only ever after the transaction that made the change commits.

A frame is serialised once here, not once per recipient; every socket in the group is sent
the same text. Two transports, one contract (`publish_on_commit(group, frame)`):

- case rooms (`case.<id>`) and team activity (`team.<id>`: what the case list shows live, read
  by every /ws/me/ socket of the team's members) go through the room hub
  (consult/realtime/hub.py): one Redis PUBLISH per frame, one subscription per group per
  process, direct local delivery. The hot path: a post's room frame and its team frame go out
  in the same Redis pipeline. Consumers join these groups with `hub().join(...)`, not
  `channel_layer.group_add`.
- every other group (users, sessions...) goes through the Channels layer as a
  `forward.frame` event that consumers relay verbatim.

Both deliver at most once and may drop under load: clients see the gap in sequence numbers
and backfill from the database, which is the truth.
"""

import hashlib
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from consult.events.frames import encode
from consult.ops import metrics
from consult.realtime import hub

log = logging.getLogger(__name__)

FORWARD = "forward.frame"  # the one event type consumers relay verbatim
SESSION_ENDED = "session.ended"
ACCESS_REVOKED = "access.revoked"  # {"code": close code}: consult/realtime/revocation.py


def case_group(case_id):
    return f"case.{case_id}"


def team_group(team_id):
    return f"team.{team_id}"


def is_room_group(group):
    """Groups carried by the room hub rather than the Channels layer."""
    return group.startswith(("case.", "team."))


def user_group(user_id):
    return f"user.{user_id}"


def access_group(user_id):
    """Every /ws/me/ and review-room socket of a user, for revocation (case rooms: the hub)."""
    return f"access.{user_id}"


def session_group(session_key):
    # Group names live in Redis: a digest keeps the session key itself out of it.
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def publish_on_commit(group, frame, *, seq=hub.UNORDERED):
    """Send `frame` (a Frame from consult/events/frames.py: encode refuses anything else) to
    the group once the current transaction commits.

    `seq` is the room message sequence number the frame carries, so rooms deliver in order.
    A failed publish never fails the request or scheduler pass that committed: the change is
    stored, and clients resync from the database (rooms by seq, /ws/me/ by its snapshot).
    """
    text = encode(frame)
    if is_room_group(group):
        transaction.on_commit(lambda: _logged(hub.publish, group, text, seq))
    else:
        transaction.on_commit(lambda: _logged(send_now, group, {"type": FORWARD, "text": text}))


def _logged(publish, group, *args):
    try:
        publish(group, *args)
    except Exception as error:  # noqa: BLE001 - after commit nothing may undo the request's answer
        metrics.publish_failures.labels(group.split(".")[0]).inc()
        # The error's type only: its text could quote the frame, which may be clinical.
        log.warning(
            "publishing to %s failed after commit (%s)", group.split(".")[0], type(error).__name__
        )


def send_now(group, event):
    async_to_sync(get_channel_layer().group_send)(group, event)
