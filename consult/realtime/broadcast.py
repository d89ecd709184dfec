"""Publishing to sockets, only ever after the transaction that made the change commits.

A frame is serialised once here, not once per recipient; every consumer in the group
forwards the same text. The channel layer delivers at most once and may drop under load:
clients see the gap in sequence numbers and backfill from the database, which is the truth.
"""
import hashlib

import orjson
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

FORWARD = "forward.frame"  # the one event type consumers relay verbatim
SESSION_ENDED = "session.ended"


def case_group(case_id):
    return f"case.{case_id}"


def user_group(user_id):
    return f"user.{user_id}"


def session_group(session_key):
    # Group names live in Redis: a digest keeps the session key itself out of it.
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def encode(frame):
    return orjson.dumps(frame).decode()


def publish_on_commit(group, frame):
    text = encode(frame)
    transaction.on_commit(lambda: send_now(group, {"type": FORWARD, "text": text}))


def send_now(group, event):
    async_to_sync(get_channel_layer().group_send)(group, event)
