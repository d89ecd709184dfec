"""Being in a case room: joining, reading history, presence. Reads are audited too."""

import datetime
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consult.accounts.models import User
from consult.audit.kinds import Action
from consult.audit.services import audit_append
from consult.cases import store
from consult.cases.access import case_for
from consult.cases.models import Presence
from consult.core.errors import NotFound
from consult.events import frames
from consult.realtime.broadcast import case_group, publish_on_commit
from consult.realtime.hub import LATEST

RECENT_HISTORY = 50


def case_history(case, *, after_seq=None, limit=None):
    """The messages (as MessageRows) after `after_seq` in order, or the most recent ones when
    it is None; and whether more follow."""
    if after_seq is None:
        rows = store.history_rows(case.pk, limit=RECENT_HISTORY)
        return _message_rows(reversed(rows)), False
    limit = limit or settings.HISTORY_PAGE_SIZE
    rows = store.history_rows(case.pk, after_seq=after_seq, limit=limit + 1)
    return _message_rows(rows[:limit]), len(rows) > limit


def room_of(code):
    """The id of case `code`'s room, for a socket to subscribe to BEFORE room_join decides its
    access (NotFound if there is no such case). Nothing of the room reaches the socket before
    room_join admits it, and a refused socket leaves at once; subscribing first is what lets one
    access check suffice: a message committed after room_join's history read arrives live, and a
    revocation committed after its check reaches the room."""
    case_id = store.case_id_of_code(code)
    if case_id is None:
        raise NotFound("no such case")
    return case_id


def room_join(*, actor, case_code, channel_name, after_seq=None, session_id=None):
    """Admit a member's socket to the room and return (case, the `room.joined` frame).

    The socket subscribed to the room first (room_of): access is decided here, once.
    """
    case = case_for(actor, case_code, session_id=session_id)
    history, has_more = case_history(case, after_seq=after_seq)
    with transaction.atomic():
        store.presence_upsert(case.pk, actor.pk, channel_name)
        audit_append(
            action=Action.ROOM_JOINED,
            actor=actor,
            case=case,
            payload=_read_range(after_seq, history),
        )
        presence = present_users(case.pk)
        publish_on_commit(case_group(case.pk), frames.presence(presence), seq=LATEST)
    return case, frames.room_joined(
        case=case,
        me=actor,
        members=team_members(case),
        last_seq=case.last_seq,
        messages=history,
        has_more=has_more,
        presence=presence,
        read_positions=read_positions(case),
    )


def room_history(*, actor, case_code, after_seq, limit=None, session_id=None):
    case = case_for(actor, case_code, session_id=session_id)
    history, has_more = case_history(case, after_seq=after_seq, limit=limit)
    if history:
        with transaction.atomic():
            audit_append(
                action=Action.HISTORY_READ,
                actor=actor,
                case=case,
                payload=_read_range(after_seq, history),
            )
    return frames.history(after_seq=after_seq, messages=history, has_more=has_more)


def _read_range(after_seq, history):
    return {
        "after_seq": after_seq,
        "first_seq": history[0].seq if history else None,
        "last_seq": history[-1].seq if history else None,
        "count": len(history),
    }


def room_leave(*, channel_name):
    with transaction.atomic():
        case_id = store.presence_delete(channel_name)
        if case_id is not None:
            publish_on_commit(
                case_group(case_id), frames.presence(present_users(case_id)), seq=LATEST
            )


def presence_refresh(*, channel_name):
    Presence.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def present_users(case_id):
    fresh_since = timezone.now() - timedelta(seconds=settings.PRESENCE_TTL_SECONDS)
    return [_user_row(*row) for row in store.present_user_rows(case_id, seen_since=fresh_since)]


def team_members(case):
    return [_user_row(*row) for row in store.team_member_rows(case.team_id)]


def read_positions(case):
    return {str(user_id): seq for user_id, seq in store.read_position_rows(case.pk)}


# A room's reads come back as rows (consult/cases/store.py), not model instances, which were most
# of a room join's CPU (50 messages, their authors and corrections); consult/events/serializers.py
# reads these as it reads the models.


class UserRow(NamedTuple):
    pk: int
    username: str
    display_name: str


class MessageRow(NamedTuple):
    seq: int
    client_id: str
    author: UserRow
    body_html: str
    corrects_seq: int | None
    created_at: datetime.datetime


def _user_row(pk, username, first_name, last_name):
    return UserRow(pk, username, User.name_from(first_name, last_name, username))


def _message_rows(rows):
    authors, messages = {}, []  # a room's messages have few authors: one UserRow each
    for seq, client_id, author_id, username, first, last, html, corrects_seq, created in rows:
        author = authors.get(author_id)
        if author is None:
            author = authors[author_id] = _user_row(author_id, username, first, last)
        messages.append(MessageRow(seq, client_id, author, html, corrects_seq, created))
    return messages
