"""Being in a case room: joining, reading history, presence. Reads are audited too."""

import datetime
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from consult.accounts.models import User
from consult.audit.kinds import Action
from consult.audit.services import audit_append
from consult.cases import store
from consult.cases.access import case_for
from consult.cases.models import Presence
from consult.core.errors import NotFound
from consult.events import frames
from consult.realtime.batches import each_answered
from consult.realtime.broadcast import case_group, publish_on_commit
from consult.realtime.hub import LATEST

RECENT_HISTORY = 50


def case_history(case, *, after_seq=None, limit=None):
    """The messages (as MessageRows) after `after_seq` in order, or the most recent ones when
    it is None; and whether more follow."""
    if after_seq is None:
        rows = store.history_rows(case.pk, limit=RECENT_HISTORY)
        return _history_page(rows, after_seq=None, limit=RECENT_HISTORY)
    limit = limit or settings.HISTORY_PAGE_SIZE
    rows = store.history_rows(case.pk, after_seq=after_seq, limit=limit + 1)
    return _history_page(rows, after_seq=after_seq, limit=limit)


def _history_page(rows, *, after_seq, limit):
    """(MessageRows in order, whether more follow) of store.history_rows(after_seq, limit + 1),
    or of its most recent `limit` (newest first) when after_seq is None."""
    if after_seq is None:
        return _message_rows(reversed(rows)), False
    return _message_rows(rows[:limit]), len(rows) > limit


def rooms_of(codes):
    """[the id of each case code's room, or NotFound], for sockets to subscribe to BEFORE
    room_join decides their access. Nothing of the room reaches a socket before room_join admits
    it, and a refused socket leaves at once; subscribing first is what lets one access check
    suffice: a message committed after room_join's history read arrives live, and a revocation
    committed after its check reaches the room.

    One statement for all the codes: a restarted process's first joins each read their room, and
    500 rooms were 500 statements, each a wait for the database and then for the GIL behind the
    busy event loop (consult/realtime/batches.py). Remembered per process (known_room): a code
    names one case for good, and the sockets come back to a few hundred rooms, each joined by
    many. A remembered id that is no longer the code's (a case deleted and its code given to
    another) is caught by room_join, which reads the case itself: the socket then forgets it and
    subscribes again."""
    found = store.case_ids_of_codes(set(codes))
    if len(_known_rooms) + len(found) >= KNOWN_ROOMS_MAX:
        _known_rooms.clear()
    _known_rooms.update(found)
    return [found[code] if code in found else NotFound("no such case") for code in codes]


KNOWN_ROOMS_MAX = 100_000
_known_rooms = {}


def known_room(code):
    """rooms_of's remembered answer for `code`, or None: no database read."""
    return _known_rooms.get(code)


def forget_room(code):
    _known_rooms.pop(code, None)


def room_join(*, actor, case_code, channel_name, after_seq=None, session_id=None):
    """Admit a member's socket to the room and return (case, the `room.joined` frame).

    The socket subscribed to the room first (rooms_of): access is decided here, once, in the
    statement that reads the room (consult/cases/store.py's room_entry).
    """
    request = {
        "actor": actor,
        "case_code": case_code,
        "channel_name": channel_name,
        "after_seq": after_seq,
        "session_id": session_id,
    }
    [joined] = _admit([request], [_entry_alone(request)])
    if isinstance(joined, Exception):
        raise joined
    return joined


def rooms_join(requests):
    """room_join for every request (a dict of its keyword arguments), the rooms of all of them
    read in one statement (store.room_entries): [(case, frame) or the exception raised], in
    order. A join that read did not admit (or every one, if it failed) reads its room on its
    own, as room_join does, which records a refusal and raises it for that socket alone."""
    try:
        entries = store.room_entries(
            [_join(request) for request in requests], seen_since=_fresh_since()
        )
    except DatabaseError:
        entries = [None] * len(requests)
    entries = each_answered(
        lambda pair: pair[1] or _entry_alone(pair[0]),
        zip(requests, entries, strict=True),
        what="a room's read",
    )
    return _admit(requests, entries)


def _join(request):
    after_seq = request.get("after_seq")
    return store.Join(
        request["actor"],
        request["case_code"],
        request.get("session_id"),
        after_seq,
        RECENT_HISTORY if after_seq is None else settings.HISTORY_PAGE_SIZE + 1,
    )


def _entry_alone(request):
    join = _join(request)
    return store.room_entry(
        join.actor,
        join.code,
        session_id=join.session_id,
        after_seq=join.after_seq,
        limit=join.limit,
        seen_since=_fresh_since(),
    )


def _admit(requests, entries):
    """Each request's socket present in the room of its entry (a RoomEntry, or the exception
    that refused it), with its event on the trail: [(case, `room.joined` frame) or exception].

    Every entry of a batch was read before any of its sockets became present, so the presence
    each read found is completed with the batch's own joiners, and each room hears one presence
    frame for the batch."""

    def page(pair):
        request, entry = pair
        if isinstance(entry, Exception):
            raise entry
        after_seq = request.get("after_seq")
        limit = RECENT_HISTORY if after_seq is None else settings.HISTORY_PAGE_SIZE
        history, has_more = _history_page(entry.history, after_seq=after_seq, limit=limit)
        return entry, history, has_more, _read_range(after_seq, history)

    pages = each_answered(page, zip(requests, entries, strict=True), what="a room's page")
    admitted = [i for i, paged in enumerate(pages) if not isinstance(paged, Exception)]
    in_batch = store.presences_enter(
        [
            (pages[i][0].case, requests[i]["actor"], requests[i]["channel_name"], pages[i][3])
            for i in admitted
        ]
    )
    in_already = {i for i, done in zip(admitted, in_batch, strict=True) if done}

    def enter(numbered):
        i, paged = numbered
        if isinstance(paged, Exception):
            raise paged
        entry, history, has_more, joined = paged
        if i not in in_already:
            store.presence_enter(
                entry.case, requests[i]["actor"], requests[i]["channel_name"], joined=joined
            )
        return entry, history, has_more

    entered = each_answered(enter, enumerate(pages), what="a room join")
    present = {}  # case id -> UserRows of who is present once the batch is in
    for request, result in zip(requests, entered, strict=True):
        if not isinstance(result, Exception):
            case_id = result[0].case.pk
            users = present.get(case_id) or _user_rows(result[0].present)
            present[case_id] = _with_user(users, request["actor"])
    for case_id, users in present.items():
        publish_on_commit(case_group(case_id), frames.presence(users), seq=LATEST)
    return [
        result if isinstance(result, Exception) else _joined(request, *result, present)
        for request, result in zip(requests, entered, strict=True)
    ]


def _joined(request, entry, history, has_more, present):
    case = entry.case
    return case, frames.room_joined(
        case=case,
        me=request["actor"],
        members=_user_rows(entry.members),
        last_seq=case.last_seq,
        messages=history,
        has_more=has_more,
        presence=present[case.pk],
        read_positions={str(user_id): seq for user_id, seq in entry.readers},
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
    rooms_leave([channel_name])


def rooms_leave(channel_names):
    """room_leave of each socket: their presence rows deleted in one statement, and each room
    they left told who is still there, in one frame, read in one statement for all the rooms
    (in a reconnect storm thousands leave at once: they were two statements each)."""
    with transaction.atomic():
        left = store.presences_delete(channel_names)
        if left:
            present = store.present_user_rows_of(left, seen_since=_fresh_since())
            for case_id, users in present.items():
                publish_on_commit(
                    case_group(case_id), frames.presence(_user_rows(users)), seq=LATEST
                )
    return [None] * len(channel_names)


def presences_refresh(channel_names):
    """Every socket keeps its presence row fresh (PRESENCE_TTL_SECONDS): one statement for all of
    a batch, where 5,000 open sockets were 170 statements a second."""
    Presence.objects.filter(channel_name__in=list(channel_names)).update(seen_at=timezone.now())
    return [None] * len(channel_names)


PRESENCE_EXPIRY_BATCH = 1000


def expire_stale_presence(now=None):
    """Delete the presence rows no socket has refreshed within PRESENCE_TTL_SECONDS; how many.

    A socket's row goes when it leaves, but not when its process is killed or restarted (SIGTERM
    closes every socket without the leave's database work): reads already skip such rows, and
    without this they stayed for good. Every restart of a process with 5,000 sockets left 5,000,
    and a room join's presence read walked them all (bench/idle_sockets.py). In batches, each its
    own statement, so no long lock is held on a busy table."""
    seen_before = (now or timezone.now()) - timedelta(seconds=settings.PRESENCE_TTL_SECONDS)
    expired = 0
    while True:
        batch = store.presence_expire(seen_before, limit=PRESENCE_EXPIRY_BATCH)
        expired += batch
        if batch < PRESENCE_EXPIRY_BATCH:
            return expired


def team_members(case):
    return _user_rows(store.team_member_rows(case.team_id))


def _fresh_since():
    return timezone.now() - timedelta(seconds=settings.PRESENCE_TTL_SECONDS)


def _user_rows(rows):
    return [_user_row(*row) for row in rows]


def _with_user(users, user):
    """`users` (by username) with `user` among them."""
    if any(other.pk == user.pk for other in users):
        return users
    me = _user_row(user.pk, user.username, user.first_name, user.last_name)
    return sorted([*users, me], key=lambda row: row.username)


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
