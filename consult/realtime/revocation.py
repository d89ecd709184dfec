"""Closing the sockets of access that was just taken away: at once, on every process, in order.

Domain services call these INSIDE the transaction that takes the access away (membership
removed, account deactivated, role or password changed, session ended). Each revocation is sent
twice, and both are idempotent:

1. now, before the change commits. Case-room frames are published only after their own
   transaction commits, on the same Redis connection per process as this revocation (the room
   hub's control channel, consult/realtime/hub.py), so every frame committed after the change
   reaches a process after the revocation has taken the socket out of every room. /ws/me/ and
   review rooms hear it through the Channels layer, whose per-channel order is FIFO too.
2. again on commit: a socket that passed its handshake's database check just before the
   commit, and joined a moment later, is closed by this one.

A revocation sent for a transaction that then rolls back closes sockets that needed no closing:
harmless, the client reconnects and the handshake reads the database, which is the truth. A
frame a socket sends meanwhile is refused by the database check of the service it reaches
(is_active, role, session and membership), so nothing is stored.

Close codes (docs/protocol.md): WS_CLOSE_ACCESS_LOST (4403) when access was taken away,
WS_CLOSE_SIGNED_OUT (4001) when the session ended.
"""

import logging

from django.db import transaction

from consult.realtime import hub
from consult.realtime.broadcast import (
    ACCESS_REVOKED,
    access_group,
    case_group,
    send_now,
    session_group,
)
from consult.realtime.protocol import WS_CLOSE_ACCESS_LOST, WS_CLOSE_SIGNED_OUT

__all__ = [
    "WS_CLOSE_ACCESS_LOST",
    "WS_CLOSE_SIGNED_OUT",
    "close_session_sockets",
    "close_user_case_sockets",
    "close_user_sockets",
]

log = logging.getLogger(__name__)


def close_user_sockets(user_id, *, code):
    """Close every socket of the user: case rooms, /ws/me/ and review rooms, on every process."""
    _revoke(hub.USER, str(user_id), access_group(user_id), code)


def close_user_case_sockets(user_id, case_id, *, code):
    """Close the user's sockets in one case's room only, on every process (an emergency access
    that ended: the user's other rooms and /ws/me/ stay open)."""
    group = case_group(case_id)
    value = f"{user_id}@{group}"

    def send():
        try:
            hub.publish_revocation(hub.USER_IN_ROOM, value, code)
        except Exception:
            log.exception("sending a revocation failed")

    send()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(send)


def close_session_sockets(session_keys, *, code):
    """Close every socket opened under one of these Django session keys."""
    for key in session_keys:
        group = session_group(key)
        _revoke(hub.SESSION, group, group, code)


def _revoke(kind, value, group, code):
    def send():
        try:
            hub.publish_revocation(kind, value, code)
            send_now(group, {"type": ACCESS_REVOKED, "code": code})
        except Exception:
            log.exception("sending a revocation failed")

    send()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(send)
