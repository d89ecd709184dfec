"""Every SQL statement of the cases app, behind one function per operation.

Posting and joining a room run thousands of times a second at peak, so their statements are
written out here; the rest of the app uses the ORM. Which database runs them is decided here
and nowhere else in the app:
- a post (message_store): ONE autocommit statement for a plain post on PostgreSQL, which
  authorises, numbers, stores and audits the message; otherwise a transaction of two (a locking
  read that authorises the poster and finds a stored retry, then one statement that takes the
  next seq, inserts the message and appends its event); the ORM on other databases (the embedded
  SQLite). The audit event is appended inside the message's own statement through
  consult/audit/sql.py, the one place that knows the trail's tables;
- a room join's reads and presence rows: plain SQL, the same on PostgreSQL and SQLite, run as
  prepared statements on PostgreSQL (consult.core.prepared);
- search: PostgreSQL's full-text index, or a LIKE per word elsewhere.
The rules are the same as everywhere: a case exists for members of its team only (and a holder
of an active emergency grant: consult/emergency/), and its row lock orders the room's messages.
"""

import contextlib
import datetime
import functools
from dataclasses import dataclass
from typing import NamedTuple

import orjson
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from consult.accounts.models import Membership, Team, User
from consult.accounts.sql import grant_sql
from consult.audit import sql as audit_sql
from consult.audit.kinds import Action, case_stream
from consult.cases import access
from consult.cases.models import Case, Message, Presence, ReadPosition
from consult.core.errors import AccessDenied, NotFound, ValidationFailed
from consult.core.prepared import fetch_all, fetch_all_prepared, fetch_one_prepared, pipelined
from consult.emergency.models import EmergencyGrant

CASES, MESSAGES = Case._meta.db_table, Message._meta.db_table
USERS, MEMBERSHIPS = User._meta.db_table, Membership._meta.db_table
PRESENCES, READ_POSITIONS = Presence._meta.db_table, ReadPosition._meta.db_table
GRANTS = EmergencyGrant._meta.db_table


@dataclass(frozen=True)
class Stored:
    message: Message
    duplicate: bool


@contextlib.contextmanager
def message_store(
    *,
    author,
    case_code,
    client_id,
    body,
    body_html,
    audit_payload,
    corrects_seq=None,
    confirmations=(),
    refusal=None,
    session_id=None,
):
    """Store a message once per client_id, with its `message.posted` event; yields Stored.

    The body of the `with` runs inside the post's transaction (further events, publishing on
    commit), or right after the one statement of a plain post committed. A client_id already
    stored yields the stored message (duplicate=True) and writes nothing.
    Checked under the case's row lock, in this order: the author may post in the case, with
    their role and open session `session_id` (AccessDenied), a retry (duplicate), the message
    `corrects_seq` is theirs (ValidationFailed), then `refusal` (the guard's IdentifierFound,
    raised only to someone allowed to post). The event's payload is `audit_payload` and the
    message's room seq (its last key).
    """
    event = _posted_event(author, case_code, audit_payload)
    if refusal is None and corrects_seq is None and not confirmations:
        message = _plain_post(author, case_code, client_id, body, body_html, event, session_id)
        if message is not None:
            yield Stored(message, duplicate=False)
            return
    with transaction.atomic():
        case, stored_id = _lock_case_for_poster(author, case_code, client_id, session_id)
        if stored_id is not None:
            yield Stored(_stored_message(stored_id), duplicate=True)
            return
        corrected = _corrected_message(case, author, corrects_seq)
        if refusal is not None:
            raise refusal
        message = _message_insert(
            case, author, client_id, body, body_html, corrected, confirmations, event
        )
        yield Stored(message, duplicate=False)


def _stored_message(message_id):
    return Message.objects.select_related("author", "corrects").get(pk=message_id)


def _corrected_message(case, author, corrects_seq):
    if corrects_seq is None:
        return None
    corrected = Message.objects.filter(case=case, seq=corrects_seq).first()
    if corrected is None:
        raise ValidationFailed(f"there is no message {corrects_seq} in this room", field="corrects")
    if corrected.author_id != author.pk:
        raise ValidationFailed("you can only correct your own messages", field="corrects")
    return corrected


# A plain post (no correction, no confirmed false alarm) in ONE autocommit statement on
# PostgreSQL: authorise, take the room's next seq under the case row lock, insert the message
# and append its audit event, all or nothing. Four round trips (BEGIN, lock, insert, COMMIT)
# become one; at hundreds of posts a second the round trips were most of a post's cost. It runs
# as a server-side prepared statement (consult.core.prepared): planning it was half of
# PostgreSQL's CPU per post.
# No row back means "not the plain case" (a retry already stored, a membership or session that
# ended, a stream without a head yet): the caller then takes the general path,
# which tells them apart.
POST_PLAIN_MESSAGE = f"""WITH moved AS (
    UPDATE {CASES} AS c SET last_seq = c.last_seq + 1, updated_at = %(now)s
     WHERE c.code = %(code)s
       AND EXISTS (SELECT 1 FROM {MEMBERSHIPS} ms
                    WHERE ms.team_id = c.team_id AND ms.user_id = %(author)s)
       AND {grant_sql(user="%(author)s", role="%(role)s", session="%(session)s")}
       AND NOT EXISTS (SELECT 1 FROM {MESSAGES} m
                        WHERE m.case_id = c.id AND m.author_id = %(author)s
                          AND m.client_id = %(client_id)s)
       AND {audit_sql.STREAM_HAS_HEAD}
    RETURNING c.id, c.team_id, c.last_seq
),
inserted AS (
    INSERT INTO {MESSAGES}
           (case_id, seq, author_id, client_id, body, body_html, corrects_id, deid_confirmations,
            created_at)
    SELECT moved.id, moved.last_seq, %(author)s, %(client_id)s, %(body)s, %(body_html)s, NULL,
           '[]'::jsonb, %(now)s
      FROM moved
    RETURNING id, seq
),
{{audit}}
SELECT moved.id, moved.team_id, inserted.id, inserted.seq, {audit_sql.APPENDED_COLUMNS}
  FROM moved, inserted, {audit_sql.APPENDED}"""


@functools.cache
def _plain_post_sql(audit_ctes):
    return POST_PLAIN_MESSAGE.replace("{audit}", audit_ctes)


def _plain_post(author, case_code, client_id, body, body_html, event, session_id):
    """The stored message of a plain post made in one statement, committed on return; or None
    when the general path must decide (and always off PostgreSQL or inside a transaction)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    sql, params = _plain_post_statement(
        author, case_code, client_id, body, body_html, event, session_id
    )
    try:
        row = fetch_one_prepared(sql, params)
    except IntegrityError:
        return None  # the same client_id raced in from another socket: the general path finds it
    return _plain_post_stored(row, author, case_code, client_id, body, body_html, event)


def _plain_post_statement(author, case_code, client_id, body, body_html, event, session_id):
    audit_ctes, params = audit_sql.append_numbered_in_statement(
        event, source="inserted", payload_seq="inserted.seq", case_id_sql="(SELECT id FROM moved)"
    )
    params.update(
        {
            "now": event.created_at,
            "code": case_code,
            "author": author.pk,
            "client_id": client_id,
            "body": body,
            "body_html": body_html,
            "role": author.role,
            "session": session_id,
        }
    )
    return _plain_post_sql(audit_ctes), params


def _plain_post_stored(row, author, case_code, client_id, body, body_html, event):
    """The Message the plain post statement stored, from its `row`; None if it stored none."""
    if row is None:
        return None
    case_id, team_id, message_id, seq, *audit_row = row
    case = Case.from_db(
        connection.alias, ["id", "code", "team_id", "last_seq"], [case_id, case_code, team_id, seq]
    )
    message = Message.from_db(
        connection.alias,
        [
            "id",
            "case_id",
            "seq",
            "author_id",
            "client_id",
            "body",
            "body_html",
            "corrects_id",
            "deid_confirmations",
            "created_at",
        ],
        [
            message_id,
            case_id,
            seq,
            author.pk,
            client_id,
            body,
            body_html,
            None,
            [],
            event.created_at,
        ],
    )
    message.case, message.author = case, author
    audit_sql.numbered_append_completed(event, audit_row, seq=seq, case=case)
    return message


class PlainPosts:
    """Plain posts sent to PostgreSQL one after another, without waiting for each one's answer,
    in one transaction (plain_posts_pipelined); with no `statements`, none is sent."""

    def __init__(self, statements):
        self.statements = statements
        self.sent = []

    def send(self, *, author, case_code, client_id, body, body_html, audit_payload, session_id):
        """Send one plain post (message_store's arguments): a handle whose `message`, once the
        `with` block is over, is the stored Message, or None when the general path must decide
        (message_store: not the plain case, a retry, or the transaction did not commit)."""
        post = PlainPost()
        if self.statements is None:
            return post
        event = _posted_event(author, case_code, audit_payload)
        post.parts = (author, case_code, client_id, body, body_html, event)
        self.statements.send(
            *_plain_post_statement(author, case_code, client_id, body, body_html, event, session_id)
        )
        self.sent.append(post)
        return post

    def end(self):
        if self.statements is not None:
            self.statements.send(PIPELINE_END, None)

    def finish(self):
        if self.statements is None:
            return
        *rows, end = self.statements.rows
        committed = not self.statements.failed and end == (1,)
        for post, row in zip(self.sent, rows, strict=True):
            post.message = _plain_post_stored(row if committed else None, *post.parts)


# The last statement of a batch of plain posts: answered only if every one before it ran (after
# a failure PostgreSQL skips the rest of the transaction).
PIPELINE_END = "SELECT 1"


class PlainPost:
    message = None


@contextlib.contextmanager
def plain_posts_pipelined():
    """A PlainPosts: each post goes to PostgreSQL as soon as it is sent, and PostgreSQL stores
    it while the caller checks the next one (the de-identification guard, the renderer), so a
    batch of posts waits for the database once, not once per post, and commits once.

    One transaction for the batch: if any of its statements fails, none stands, and every post
    takes the general path. Its callers send posts in the order of their case codes, so two
    batches take their rooms' locks in the same order and never deadlock. Off PostgreSQL,
    inside a transaction or without a connection every handle says "general path"."""
    statements = None
    with contextlib.ExitStack() as stack:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            try:
                statements = stack.enter_context(pipelined())
            except DatabaseError:  # no connection: the general path tries each post, and says why
                pass
        posts = PlainPosts(statements)
        yield posts
        posts.end()
    posts.finish()


def _posted_event(author, case_code, audit_payload):
    return audit_sql.event_numbered_by_statement(
        action=Action.MESSAGE_POSTED,
        actor=author,
        stream=case_stream(case_code),
        payload=audit_payload,
    )


# consult.cases.access's MEMBER rule for the case row `c` and the parameters actor, role,
# session and now: an active member of its team, or the holder of an active emergency grant for
# it, with the role and open session the socket or page acts under.
MEMBER_RULE = f"""(EXISTS (SELECT 1 FROM {MEMBERSHIPS} ms
                 WHERE ms.team_id = c.team_id AND ms.user_id = %(actor)s)
        OR EXISTS (SELECT 1 FROM {GRANTS} g
                    WHERE g.case_id = c.id AND g.user_id = %(actor)s AND g.expired_at IS NULL
                      AND g.expires_at > %(now)s))
   AND {grant_sql(user="%(actor)s", role="%(role)s", session="%(session)s")}"""

# NO KEY UPDATE, as in consult.cases.access: rows that reference the case (audit events,
# presence, read positions) take a key-share lock on it when their foreign keys are checked
# at COMMIT, which a full FOR UPDATE would block, deadlocking against a room join that holds
# the audit head.
LOCK_CASE_FOR_POSTER = f"""
SELECT c.id, c.team_id, c.last_seq,
       (SELECT m.id FROM {MESSAGES} m
         WHERE m.case_id = c.id AND m.author_id = %(actor)s AND m.client_id = %(client_id)s)
  FROM {CASES} c
 WHERE c.code = %(code)s
   AND {MEMBER_RULE}
   FOR NO KEY UPDATE OF c
"""


def _lock_case_for_poster(actor, code, client_id, session_id):
    """(case, id of the message already stored under client_id or None), the case row locked.

    AccessDenied when the actor is not an active member of the case's team with the role and the
    open session (`session_id`, consult/accounts/grants.py) they post under, or there is no such
    case: the socket was open, so the room existed for this user, and their access has ended.
    """
    found = (
        _lock_case_with_sql(actor, code, client_id, session_id)
        if connection.vendor == "postgresql"
        else _lock_case_with_orm(actor, code, client_id, session_id)
    )
    if found is None:
        raise AccessDenied("you no longer have access to this case")
    return found


def _lock_case_with_sql(actor, code, client_id, session_id):
    with connection.cursor() as cursor:
        cursor.execute(
            LOCK_CASE_FOR_POSTER,
            {
                "actor": actor.pk,
                "client_id": client_id,
                "code": code,
                "role": actor.role,
                "session": session_id,
                "now": timezone.now(),
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    case_id, team_id, last_seq, stored_id = row
    # Only what posting needs is loaded; any other field is fetched if something reads it.
    case = Case.from_db(
        connection.alias, ["id", "code", "team_id", "last_seq"], [case_id, code, team_id, last_seq]
    )
    return case, stored_id


def _lock_case_with_orm(actor, code, client_id, session_id):
    try:
        case = access.case_for(actor, code, lock=True, session_id=session_id)
    except NotFound:
        return None
    stored = Message.objects.filter(case=case, author=actor, client_id=client_id).values_list(
        "pk", flat=True
    )
    return case, stored.first()


_MOVE_CASE = (
    f"moved AS (UPDATE {CASES} SET last_seq = %(seq)s, updated_at = %(now)s WHERE id = %(case)s)"
)
_INSERT_MESSAGE = f"""INSERT INTO {MESSAGES}
       (case_id, seq, author_id, client_id, body, body_html, corrects_id, deid_confirmations,
        created_at)
VALUES (%(case)s, %(seq)s, %(author)s, %(client_id)s, %(body)s, %(body_html)s, %(corrects)s,
        %(confirmations)s::jsonb, %(now)s)
RETURNING id"""

# The message's INSERT with the audit append folded in: the event costs no extra round trip
# inside the case row lock. The audit CTEs write nothing when the stream has no head yet (the
# LEFT JOIN then reads Nones and the event is appended the usual way).
INSERT_MESSAGE_AUDITED = f"""WITH {_MOVE_CASE},
{{audit}},
inserted AS ({_INSERT_MESSAGE})
SELECT inserted.id, {audit_sql.APPENDED_COLUMNS}
  FROM inserted LEFT JOIN {audit_sql.APPENDED} ON true"""


@functools.cache
def _insert_audited_sql(audit_ctes):
    return INSERT_MESSAGE_AUDITED.replace("{audit}", audit_ctes)


def _message_insert(case, author, client_id, body, body_html, corrects, confirmations, event):
    """Take the case's next seq, store the message and append its event; the case row is locked.

    The event is appended in the message's own statement on PostgreSQL, the usual way elsewhere.
    It names the message by its room seq, known before the insert, not by its database id.
    """
    case.last_seq += 1
    message = Message(
        case=case,
        seq=case.last_seq,
        author=author,
        client_id=client_id,
        body=body,
        body_html=body_html,
        corrects=corrects,
        deid_confirmations=[c.as_dict() for c in confirmations],
        created_at=timezone.now(),
    )
    audit_sql.numbered(event, seq=message.seq, case=case)
    if connection.vendor != "postgresql":
        case.save(update_fields=["last_seq", "updated_at"])
        message.save()
        audit_sql.append_completed(event, None)
        return message
    audit_ctes, params = audit_sql.append_in_statement(event)
    params.update(
        {
            "seq": case.last_seq,
            "now": message.created_at,
            "case": case.pk,
            "author": author.pk,
            "client_id": client_id,
            "body": body,
            "body_html": body_html,
            "corrects": corrects.pk if corrects else None,
            "confirmations": orjson.dumps(message.deid_confirmations).decode(),
        }
    )
    with connection.cursor() as cursor:
        cursor.execute(_insert_audited_sql(audit_ctes), params)
        row = cursor.fetchone()
    message.pk = row[0]
    message._state.adding, message._state.db = False, connection.alias
    audit_sql.append_completed(event, row[1:])
    return message


# A join runs on every socket that opens, thousands at once in a reconnect storm: its reads
# (history included) and its presence row are plain SQL, the same on PostgreSQL and SQLite,
# because building each ORM query cost more CPU than PostgreSQL spent answering it; on
# PostgreSQL they run as prepared statements (consult.core.prepared), planned once per connection.
USER_COLUMNS = "u.id, u.username, u.first_name, u.last_name"
HISTORY_SQL = f"""SELECT m.seq, m.client_id, m.author_id, u.username, u.first_name, u.last_name,
       m.body_html, corrected.seq, m.created_at
  FROM {MESSAGES} m JOIN {USERS} u ON u.id = m.author_id
       LEFT JOIN {MESSAGES} corrected ON corrected.id = m.corrects_id
 WHERE m.case_id = %s {{after}}
 ORDER BY m.seq {{order}} LIMIT %s"""
PRESENCE_UPSERT = f"""INSERT INTO {PRESENCES} (case_id, user_id, channel_name, seen_at)
VALUES (%s, %s, %s, %s)
    ON CONFLICT (channel_name) DO UPDATE
   SET case_id = excluded.case_id, user_id = excluded.user_id, seen_at = excluded.seen_at"""
PRESENCE_DELETE = f"DELETE FROM {PRESENCES} WHERE channel_name = %s RETURNING case_id"
PRESENCES_DELETE = (
    f"DELETE FROM {PRESENCES} WHERE channel_name = ANY(%(channels)s) RETURNING case_id"
)
PRESENT_USERS_OF_CASES = f"""SELECT DISTINCT p.case_id, {USER_COLUMNS}
  FROM {PRESENCES} p JOIN {USERS} u ON u.id = p.user_id
 WHERE p.case_id = ANY(%(cases)s) AND p.seen_at >= %(since)s
 ORDER BY p.case_id, u.username"""
PRESENCE_EXPIRE = f"""DELETE FROM {PRESENCES}
 WHERE id IN (SELECT id FROM {PRESENCES} WHERE seen_at < %s LIMIT %s)"""
PRESENT_USERS = f"""SELECT {USER_COLUMNS} FROM {USERS} u
 WHERE u.id IN (SELECT p.user_id FROM {PRESENCES} p WHERE p.case_id = %s AND p.seen_at >= %s)
 ORDER BY u.username"""
TEAM_MEMBERS = f"""SELECT {USER_COLUMNS} FROM {USERS} u JOIN {MEMBERSHIPS} m ON m.user_id = u.id
 WHERE m.team_id = %s ORDER BY u.username"""
READ_POSITIONS_OF_CASE = f"SELECT user_id, seq FROM {READ_POSITIONS} WHERE case_id = %s"
CASE_ID_OF_CODE = f"SELECT id FROM {CASES} WHERE code = %s"
CASE_IDS_OF_CODES = f"SELECT code, id FROM {CASES} WHERE code = ANY(%(codes)s)"


def _columns(model, alias):
    return [field.attname for field in model._meta.concrete_fields], ", ".join(
        f'{alias}."{field.column}"' for field in model._meta.concrete_fields
    )


CASE_FIELDS, _CASE_COLUMNS = _columns(Case, "c")
TEAM_FIELDS, _TEAM_COLUMNS = _columns(Team, "t")
USER_FIELDS, _OWNER_COLUMNS = _columns(User, "o")
# consult.cases.access's MEMBER rule (an active member of the case's team, or the holder of an
# active emergency grant for it, with the role and open session of the grant) as one statement:
# the same rule as the ORM query it replaces on PostgreSQL, whose construction was most of the
# CPU of every socket join and page that opens a case.
_MEMBER_CASE_SELECT = f"""SELECT {_CASE_COLUMNS}, {_TEAM_COLUMNS}, {_OWNER_COLUMNS}{{also}}
  FROM {CASES} c JOIN {Team._meta.db_table} t ON t.id = c.team_id
       JOIN {USERS} o ON o.id = c.owner_id
 WHERE c.code = %(code)s
   AND {MEMBER_RULE}"""
MEMBER_CASE = _MEMBER_CASE_SELECT.format(also="")
MEMBER_CASE_LOCKED = MEMBER_CASE + " FOR NO KEY UPDATE OF c"


def member_case(actor, code, *, lock, session_id):
    """The case `code` with its team and owner loaded, if `actor` is a MEMBER of it under
    `session_id` (consult.cases.access), else None. PostgreSQL only (prepared)."""
    row = fetch_one_prepared(
        MEMBER_CASE_LOCKED if lock else MEMBER_CASE,
        {
            "code": code,
            "actor": actor.pk,
            "role": actor.role,
            "session": session_id,
            "now": timezone.now(),
        },
    )
    return None if row is None else _case_with_team_and_owner(row)


def _case_with_team_and_owner(row):
    teams_at, owners_at = len(CASE_FIELDS), len(CASE_FIELDS) + len(TEAM_FIELDS)
    case = Case.from_db(connection.alias, CASE_FIELDS, row[:teams_at])
    # As select_related("team", "owner") would.
    case._state.fields_cache["team"] = Team.from_db(
        connection.alias, TEAM_FIELDS, row[teams_at:owners_at]
    )
    case._state.fields_cache["owner"] = User.from_db(connection.alias, USER_FIELDS, row[owners_at:])
    return case


class RoomEntry(NamedTuple):
    """What a socket joining a room reads (rows as the functions below return them)."""

    case: Case  # with its team and owner
    history: list  # history_rows
    members: list  # team_member_rows
    readers: list  # read_position_rows
    present: list  # present_user_rows, before this socket's own presence


def _json_rows(select, columns, order=""):
    order = f" ORDER BY {order}" if order else ""
    return f"(SELECT json_agg(json_build_array({columns}){order}) FROM ({select}) r)"


_HISTORY_COLUMNS = (
    "r.seq, r.client_id, r.author_id, r.username, r.first_name, r.last_name, "
    "r.body_html, r.corrected_seq, r.created_at"
)
_HISTORY_SELECT = f"""SELECT m.seq, m.client_id, m.author_id, u.username, u.first_name,
       u.last_name, m.body_html, corrected.seq AS corrected_seq, m.created_at
  FROM {MESSAGES} m JOIN {USERS} u ON u.id = m.author_id
       LEFT JOIN {MESSAGES} corrected ON corrected.id = m.corrects_id
 WHERE m.case_id = c.id {{after}} ORDER BY m.seq {{order}} LIMIT %(limit)s"""
_USER_ROW_COLUMNS = "r.id, r.username, r.first_name, r.last_name"
# A room join's reads with its access decision, in one prepared statement: the MEMBER rule of
# member_case, and the history page, the team, the read positions and who is present as JSON
# arrays of rows. Separately they were five round trips, most of a join's database-thread CPU.
ROOM_ENTRY = _MEMBER_CASE_SELECT.replace(
    "{also}", ",\n       {history}, {members}, {readers}, {present}"
)


@functools.cache
def _room_entry_sql(*, from_latest):
    history = _HISTORY_SELECT.format(
        after="" if from_latest else "AND m.seq > %(after_seq)s",
        order="DESC" if from_latest else "ASC",
    )
    return ROOM_ENTRY.format(
        history=_json_rows(history, _HISTORY_COLUMNS, "r.seq DESC" if from_latest else "r.seq ASC"),
        members=_json_rows(
            f"SELECT {USER_COLUMNS} FROM {USERS} u JOIN {MEMBERSHIPS} m ON m.user_id = u.id "
            "WHERE m.team_id = c.team_id",
            _USER_ROW_COLUMNS,
            "r.username",
        ),
        readers=_json_rows(
            f"SELECT rp.user_id, rp.seq FROM {READ_POSITIONS} rp WHERE rp.case_id = c.id",
            "r.user_id, r.seq",
        ),
        present=_json_rows(
            f"SELECT {USER_COLUMNS} FROM {USERS} u WHERE u.id IN (SELECT p.user_id "
            f"FROM {PRESENCES} p WHERE p.case_id = c.id AND p.seen_at >= %(seen_since)s)",
            _USER_ROW_COLUMNS,
            "r.username",
        ),
    )


def room_entry(actor, code, *, session_id, after_seq, limit, seen_since):
    """The RoomEntry of case `code` for `actor`, a MEMBER of it under `session_id`
    (consult.cases.access; its refusal otherwise). `history` as history_rows(after_seq, limit)."""
    if connection.vendor == "postgresql":
        row = fetch_one_prepared(
            _room_entry_sql(from_latest=after_seq is None),
            {
                "code": code,
                "actor": actor.pk,
                "role": actor.role,
                "session": session_id,
                "now": timezone.now(),
                "after_seq": after_seq,
                "limit": limit,
                "seen_since": seen_since,
            },
        )
        if row is not None:
            return _entry_of_row(row)
    # Refused (case_for records the refusal and raises), or not PostgreSQL.
    case = access.case_for(actor, code, session_id=session_id)
    return RoomEntry(
        case,
        history_rows(case.pk, after_seq=after_seq, limit=limit),
        team_member_rows(case.team_id),
        read_position_rows(case.pk),
        present_user_rows(case.pk, seen_since=seen_since),
    )


# room_entry for a batch of joins in one statement (consult/realtime/batches.py): the same
# statement per join, run LATERAL over the joins' parameters. Each join's row comes back numbered
# by its place in the batch; a join refused its room has none.
_PER_JOIN = {
    "%(code)s": "j.code",
    "%(actor)s": "j.actor",
    "%(role)s": "j.role",
    "%(session)s": "j.session",
    "%(after_seq)s": "j.after_seq",
    "%(limit)s": "j.row_limit",
}


@functools.cache
def _room_entries_sql(*, from_latest):
    entry = _room_entry_sql(from_latest=from_latest)
    for param, column in _PER_JOIN.items():
        entry = entry.replace(param, column)
    return f"""SELECT j.i, e.*
  FROM unnest(%(codes)s::text[], %(actors)s::bigint[], %(roles)s::text[], %(sessions)s::bigint[],
              %(after_seqs)s::bigint[], %(limits)s::int[])
       WITH ORDINALITY AS j(code, actor, role, session, after_seq, row_limit, i)
       CROSS JOIN LATERAL ({entry}) e"""


class Join(NamedTuple):
    """One socket's join, as room_entry's arguments."""

    actor: User
    code: str
    session_id: int | None
    after_seq: int | None
    limit: int


def room_entries(joins, *, seen_since):
    """[the RoomEntry of each Join, or None where the join was refused or not read here], in
    order: on PostgreSQL one statement per kind of read (the most recent page or after a seq).
    Nothing is read elsewhere: room_entry reads a None's room, and records its refusal."""
    entries = [None] * len(joins)
    if connection.vendor != "postgresql":
        return entries
    for from_latest in (True, False):
        batch = [
            (i, join) for i, join in enumerate(joins) if (join.after_seq is None) == from_latest
        ]
        if not batch:
            continue
        rows = fetch_all_prepared(
            _room_entries_sql(from_latest=from_latest),
            {
                "codes": [join.code for _, join in batch],
                "actors": [join.actor.pk for _, join in batch],
                "roles": [join.actor.role for _, join in batch],
                "sessions": [join.session_id for _, join in batch],
                "after_seqs": [join.after_seq for _, join in batch],
                "limits": [join.limit for _, join in batch],
                "now": timezone.now(),
                "seen_since": seen_since,
            },
        )
        for number, *row in rows:
            entries[batch[number - 1][0]] = _entry_of_row(row)
    return entries


def _entry_of_row(row):
    *case_row, history, members, readers, present = row
    return RoomEntry(
        _case_with_team_and_owner(case_row),
        [(*r[:-1], _parsed_time(r[-1])) for r in history or ()],
        [tuple(r) for r in members or ()],
        [tuple(r) for r in readers or ()],
        [tuple(r) for r in present or ()],
    )


def _parsed_time(text):
    return _aware(datetime.datetime.fromisoformat(text))


PRESENCE_ENTER = f"""WITH present AS (
    INSERT INTO {PRESENCES} (case_id, user_id, channel_name, seen_at)
    SELECT %(case)s, %(actor)s, %(channel)s, %(now)s WHERE {audit_sql.STREAM_HAS_HEAD}
        ON CONFLICT (channel_name) DO UPDATE
       SET case_id = excluded.case_id, user_id = excluded.user_id, seen_at = excluded.seen_at
    RETURNING case_id
),
{{audit}}
SELECT {audit_sql.APPENDED_COLUMNS} FROM present LEFT JOIN {audit_sql.APPENDED} ON true"""


@functools.cache
def _presence_enter_sql(audit_ctes):
    return PRESENCE_ENTER.replace("{audit}", audit_ctes)


def presence_enter(case, actor, channel_name, *, joined):
    """The socket `channel_name` is present in the room, and its `room.joined` event (payload
    `joined`) on the case's trail, together: one statement on PostgreSQL (committed on return,
    outside a transaction), else one transaction."""
    event = _joined_event(case, actor, joined)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        row = fetch_one_prepared(*_presence_statement(event, case, actor, channel_name))
        if row is not None:  # else the stream had no head yet: nothing was written
            audit_sql.append_completed(event, row)
            return
    with transaction.atomic():
        presence_upsert(case.pk, actor.pk, channel_name)
        audit_sql.append_completed(event, None)


def presences_enter(entering):
    """presence_enter of each (case, actor, channel_name, joined) of a batch of joins, in one
    pipelined transaction: one wait for the database for the batch, not one per socket, each
    a wait for the GIL as well behind a busy event loop (5,000 joins at once took 22 s with
    the statement per socket, docs/scaling.md). [whether each was entered]: one that was not
    (its stream had no head yet, or the transaction failed and none stands, or not PostgreSQL)
    is the caller's to enter on its own, with presence_enter. Entered in the order of their case
    codes, as posts are (plain_posts_pipelined): two batches take rooms' locks in one order."""
    entered = [False] * len(entering)
    if connection.vendor != "postgresql" or connection.in_atomic_block or not entering:
        return entered
    order = sorted(range(len(entering)), key=lambda i: entering[i][0].code)
    events = [_joined_event(entering[i][0], entering[i][1], entering[i][3]) for i in order]
    try:
        with pipelined() as statements:
            for i, event in zip(order, events, strict=True):
                case, actor, channel_name, _ = entering[i]
                statements.send(*_presence_statement(event, case, actor, channel_name))
            statements.send(PIPELINE_END, None)
    except DatabaseError:  # no connection: each is entered on its own, and says why
        return entered
    if statements.failed or statements.rows[-1] is None:
        return entered
    for i, event, row in zip(order, events, statements.rows, strict=False):
        if row is not None:
            audit_sql.append_completed(event, row)
            entered[i] = True
    return entered


def _joined_event(case, actor, joined):
    return audit_sql.new_event(
        action=Action.ROOM_JOINED,
        actor=actor,
        case=case,
        stream=case_stream(case.code),
        payload=joined,
    )


def _presence_statement(event, case, actor, channel_name):
    audit_ctes, params = audit_sql.append_in_statement(event)
    params.update(
        {"case": case.pk, "actor": actor.pk, "channel": channel_name, "now": event.created_at}
    )
    return _presence_enter_sql(audit_ctes), params


def history_rows(case_id, *, after_seq=None, limit):
    """Rows (seq, client_id, author_id, username, first_name, last_name, body_html,
    corrected seq, created_at) of the `limit` messages after `after_seq` in order, or of the
    `limit` most recent ones (newest first) when it is None."""
    if after_seq is None:
        sql, params = HISTORY_SQL.format(after="", order="DESC"), [case_id, limit]
    else:
        sql = HISTORY_SQL.format(after="AND m.seq > %s", order="ASC")
        params = [case_id, after_seq, limit]
    return [(*row, _aware(created_at)) for *row, created_at in _execute(sql, params, fetch=True)]


def case_id_of_code(code):
    """The id of the case `code`, or None: no access decided (consult/cases/rooms.rooms_of)."""
    found = _execute(CASE_ID_OF_CODE, [code], fetch=True)
    return found[0][0] if found else None


def case_ids_of_codes(codes):
    """{code: case id} of those of `codes` that name a case: one statement on PostgreSQL."""
    if connection.vendor == "postgresql":
        return dict(fetch_all_prepared(CASE_IDS_OF_CODES, {"codes": list(codes)}))
    return {code: case_id for code in codes if (case_id := case_id_of_code(code)) is not None}


def presence_upsert(case_id, user_id, channel_name):
    _execute(PRESENCE_UPSERT, [case_id, user_id, channel_name, _db_time(timezone.now())])


def presence_delete(channel_name):
    """The id of the case the socket `channel_name` was present in, or None."""
    left = _execute(PRESENCE_DELETE, [channel_name], fetch=True)
    return left[0][0] if left else None


def presences_delete(channel_names):
    """The ids of the cases the sockets `channel_names` were present in, each once: one
    statement on PostgreSQL."""
    if connection.vendor == "postgresql":
        left = fetch_all_prepared(PRESENCES_DELETE, {"channels": list(channel_names)})
        return {case_id for (case_id,) in left}
    return {case_id for name in channel_names if (case_id := presence_delete(name)) is not None}


def present_user_rows_of(case_ids, *, seen_since):
    """{case id: present_user_rows of it} for every one of `case_ids`: one statement on
    PostgreSQL."""
    present = {case_id: [] for case_id in case_ids}
    if connection.vendor != "postgresql":
        return {case_id: present_user_rows(case_id, seen_since=seen_since) for case_id in present}
    rows = fetch_all_prepared(PRESENT_USERS_OF_CASES, {"cases": list(present), "since": seen_since})
    for case_id, *user in rows:
        present[case_id].append(tuple(user))
    return present


def presence_expire(seen_before, *, limit):
    """Delete up to `limit` presence rows last seen before `seen_before`; how many went."""
    with connection.cursor() as cursor:
        cursor.execute(PRESENCE_EXPIRE, [_db_time(seen_before), limit])
        return cursor.rowcount


def present_user_rows(case_id, *, seen_since):
    """(id, username, first_name, last_name) of the users with a socket in the room seen since."""
    return _execute(PRESENT_USERS, [case_id, _db_time(seen_since)], fetch=True)


def team_member_rows(team_id):
    """(id, username, first_name, last_name) of the team's members, by username."""
    return _execute(TEAM_MEMBERS, [team_id], fetch=True)


def read_position_rows(case_id):
    """(user_id, seq) of every reader of the case."""
    return _execute(READ_POSITIONS_OF_CASE, [case_id], fetch=True)


def _aware(moment):
    # PostgreSQL returns aware datetimes; SQLite's stored UTC comes back naive from plain SQL.
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)


def _db_time(moment):
    return connection.ops.adapt_datetimefield_value(moment)


def _execute(sql, params, *, fetch=False):
    rows = fetch_all(sql, params)
    return rows if fetch else None


# The expression the index is built on, exactly (migration 0005): otherwise PostgreSQL cannot
# use it.
BODY_VECTOR = SearchVector("body", config="english")


def messages_matching(messages, query):
    """`messages` narrowed to those matching `query`, best first (consult/cases/search.py)."""
    if connection.vendor == "postgresql":
        terms = SearchQuery(query, config="english", search_type="websearch")
        return (
            messages.annotate(vector=BODY_VECTOR)
            .filter(vector=terms)
            .annotate(rank=SearchRank(BODY_VECTOR, terms))
            .order_by("-rank", "-created_at")
        )
    for word in query.split():
        messages = messages.filter(body__icontains=word)
    return messages.order_by("-created_at")
