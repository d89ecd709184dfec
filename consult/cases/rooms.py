"""Being in a case room: joining, reading history, presence. Reads are audited too."""

import datetime
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from consult.accounts.models import Membership, User
from consult.audit.services import audit_append
from consult.cases.access import case_for
from consult.cases.models import Message, Presence, ReadPosition
from consult.cases.serializers import case_dict, message_row_dict, user_dict, user_row_dict
from consult.core.prepared import fetch_all_prepared
from consult.realtime.broadcast import case_group, publish_on_commit

RECENT_HISTORY = 50


def case_history(case, *, after_seq=None, limit=None):
    """Frames' dicts of the messages after `after_seq` in order, or of the most recent ones
    when it is None; and whether more follow."""
    limit = limit or settings.HISTORY_PAGE_SIZE
    if after_seq is None:
        rows = _execute(
            HISTORY_SQL.format(after="", order="DESC"), [case.pk, RECENT_HISTORY], fetch=True
        )
        return [_history_dict(row) for row in reversed(rows)], False
    rows = _execute(
        HISTORY_SQL.format(after="AND m.seq > %s", order="ASC"),
        [case.pk, after_seq, limit + 1],
        fetch=True,
    )
    return [_history_dict(row) for row in rows[:limit]], len(rows) > limit


def room_join(*, actor, case_code, channel_name, after_seq=None, case=None, session_id=None):
    """Admit a member's socket to the room and return the `room.joined` frame.

    The caller (the socket) read the case once already, to subscribe to its room; access is
    checked again here, now that the socket is subscribed: a revocation that committed in
    between is seen here, and one that commits later reaches the room. (`case` is accepted for
    the caller's convenience and not trusted.)
    """
    case = case_for(actor, case_code, session_id=session_id)
    history, has_more = case_history(case, after_seq=after_seq)
    with transaction.atomic():
        _presence_upsert(case, actor, channel_name)
        audit_append(
            action="room.joined", actor=actor, case=case, payload=_read_range(after_seq, history)
        )
        presence = present_users(case.pk)
        publish_on_commit(case_group(case.pk), {"type": "presence", "users": presence})
    return case, {
        "type": "room.joined",
        "case": case_dict(case),
        "me": user_dict(actor),
        "members": team_members(case),
        "last_seq": case.last_seq,
        "messages": history,
        "has_more": has_more,
        "presence": presence,
        "read_positions": read_positions(case),
    }


def room_history(*, actor, case_code, after_seq, limit=None, session_id=None):
    case = case_for(actor, case_code, session_id=session_id)
    history, has_more = case_history(case, after_seq=after_seq, limit=limit)
    if history:
        with transaction.atomic():
            audit_append(
                action="history.read",
                actor=actor,
                case=case,
                payload=_read_range(after_seq, history),
            )
    return {
        "type": "history",
        "after_seq": after_seq,
        "messages": history,
        "has_more": has_more,
    }


def _read_range(after_seq, history):
    return {
        "after_seq": after_seq,
        "first_seq": history[0]["seq"] if history else None,
        "last_seq": history[-1]["seq"] if history else None,
        "count": len(history),
    }


def room_leave(*, channel_name):
    with transaction.atomic():
        left = _execute(
            f"DELETE FROM {PRESENCES} WHERE channel_name = %s RETURNING case_id",
            [channel_name],
            fetch=True,
        )
        if left:
            [(case_id,)] = left
            publish_on_commit(
                case_group(case_id), {"type": "presence", "users": present_users(case_id)}
            )


def presence_refresh(*, channel_name):
    Presence.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


# A join runs on every socket that opens, thousands at once in a reconnect storm: its reads
# (history included) and its presence row are plain SQL, the same on PostgreSQL and SQLite,
# because building each ORM query cost more CPU than PostgreSQL spent answering it; on
# PostgreSQL they run as prepared statements (consult.core.prepared), planned once per connection.
USERS, MEMBERSHIPS = User._meta.db_table, Membership._meta.db_table
PRESENCES, READ_POSITIONS = Presence._meta.db_table, ReadPosition._meta.db_table
MESSAGES = Message._meta.db_table
USER_COLUMNS = "u.id, u.username, u.first_name, u.last_name"


def _presence_upsert(case, user, channel_name):
    _execute(
        f"""INSERT INTO {PRESENCES} (case_id, user_id, channel_name, seen_at)
                 VALUES (%s, %s, %s, %s)
                 ON CONFLICT (channel_name) DO UPDATE
                 SET case_id = excluded.case_id, user_id = excluded.user_id,
                     seen_at = excluded.seen_at""",
        [case.pk, user.pk, channel_name, _db_time(timezone.now())],
    )


def present_users(case_id):
    fresh_since = timezone.now() - timedelta(seconds=settings.PRESENCE_TTL_SECONDS)
    return _user_dicts(
        f"""SELECT {USER_COLUMNS} FROM {USERS} u
                            WHERE u.id IN (SELECT p.user_id FROM {PRESENCES} p
                                            WHERE p.case_id = %s AND p.seen_at >= %s)
                            ORDER BY u.username""",
        [case_id, _db_time(fresh_since)],
    )


def team_members(case):
    return _user_dicts(
        f"""SELECT {USER_COLUMNS} FROM {USERS} u JOIN {MEMBERSHIPS} m ON m.user_id = u.id
                            WHERE m.team_id = %s ORDER BY u.username""",
        [case.team_id],
    )


def read_positions(case):
    rows = _execute(
        f"SELECT user_id, seq FROM {READ_POSITIONS} WHERE case_id = %s", [case.pk], fetch=True
    )
    return {str(user_id): seq for user_id, seq in rows}


def _user_dicts(sql, params):
    return [user_row_dict(*row) for row in _execute(sql, params, fetch=True)]


HISTORY_SQL = f"""SELECT m.seq, m.client_id, m.author_id, u.username, u.first_name, u.last_name,
       m.body_html, corrected.seq, m.created_at
  FROM {MESSAGES} m JOIN {USERS} u ON u.id = m.author_id
       LEFT JOIN {MESSAGES} corrected ON corrected.id = m.corrects_id
 WHERE m.case_id = %s {{after}}
 ORDER BY m.seq {{order}} LIMIT %s"""


def _history_dict(row):
    *columns, created_at = row
    return message_row_dict(*columns, _aware(created_at))


def _aware(moment):
    # PostgreSQL returns aware datetimes; SQLite's stored UTC comes back naive from plain SQL.
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)


def _db_time(moment):
    return connection.ops.adapt_datetimefield_value(moment)


def _execute(sql, params, *, fetch=False):
    if connection.vendor == "postgresql":
        rows = fetch_all_prepared(sql, params)
        return rows if fetch else None
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if fetch else None
