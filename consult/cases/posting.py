"""Posting a message's database work, in as few round trips as PostgreSQL allows.

message_post runs for every chat line, so its SQL is written out here. A plain post is ONE
statement (plain_message_post). Everything else takes two: one locking read that authorises
the poster and finds a stored retry, and one statement that takes the next seq, inserts the
message and appends its audit event (the audit CTEs come from consult.audit.services).
Other databases (the embedded SQLite) use the ORM versions.
The rules are the same as everywhere: the case exists for members of its team only (and a holder
of an active emergency grant: consult/emergency/), and its row lock orders the room's messages.
"""

import functools

import orjson
from django.db import IntegrityError, connection
from django.utils import timezone

from consult.accounts.grants import grant_sql
from consult.accounts.models import Membership
from consult.audit.models import AuditHead
from consult.audit.services import (
    append_cte,
    append_cte_with_payload_seq,
    audit_complete,
    audit_folded,
)
from consult.cases.access import case_for
from consult.cases.models import Case, Message
from consult.core.errors import NotFound
from consult.core.prepared import fetch_one_prepared
from consult.emergency.models import EmergencyGrant

# NO KEY UPDATE, as in consult.cases.access: rows that reference the case (audit events,
# presence, read positions) take a key-share lock on it when their foreign keys are checked
# at COMMIT, which a full FOR UPDATE would block, deadlocking against a room join that holds
# the audit head.
LOCK_CASE_FOR_POSTER = f"""
SELECT c.id, c.team_id, c.last_seq,
       (SELECT m.id FROM {Message._meta.db_table} m
         WHERE m.case_id = c.id AND m.author_id = %(actor)s AND m.client_id = %(client_id)s)
  FROM {Case._meta.db_table} c
 WHERE c.code = %(code)s
   AND (EXISTS (SELECT 1 FROM {Membership._meta.db_table} ms
                 WHERE ms.team_id = c.team_id AND ms.user_id = %(actor)s)
        OR EXISTS (SELECT 1 FROM {EmergencyGrant._meta.db_table} g
                    WHERE g.case_id = c.id AND g.user_id = %(actor)s
                      AND g.expired_at IS NULL AND g.expires_at > %(now)s))
   AND {grant_sql(user="%(actor)s", role="%(role)s", session="%(session)s")}
   FOR NO KEY UPDATE OF c
"""

_MOVE_CASE = (
    f"moved AS (UPDATE {Case._meta.db_table} SET last_seq = %(seq)s, updated_at = %(now)s"
    " WHERE id = %(case)s)"
)
_INSERT_MESSAGE = f"""INSERT INTO {Message._meta.db_table}
       (case_id, seq, author_id, client_id, body, body_html, corrects_id, deid_confirmations,
        created_at)
VALUES (%(case)s, %(seq)s, %(author)s, %(client_id)s, %(body)s, %(body_html)s, %(corrects)s,
        %(confirmations)s::jsonb, %(now)s)
RETURNING id"""

INSERT_MESSAGE = f"WITH {_MOVE_CASE}\n{_INSERT_MESSAGE}"

# The same with the audit append folded in: the message's event costs no extra round trip
# inside the case row lock. The audit CTEs write nothing when the stream has no head yet
# (the LEFT JOIN then reads Nones and audit_complete appends the usual way).
INSERT_MESSAGE_AUDITED = """WITH {move},
{audit},
inserted AS ({insert})
SELECT inserted.id, audit_event.id, audit_event.seq, audit_event.prev_hash, audit_event.hash
  FROM inserted LEFT JOIN audit_event ON true"""


def lock_case_for_poster(actor, code, client_id, session_id=None):
    """(case, id of the message already stored under client_id or None), the case row locked.

    None when the actor is not an active member of the case's team with the role and the open
    session (`session_id`, consult/accounts/grants.py) they post under, or there is no such case.
    """
    if connection.vendor != "postgresql":
        return _lock_case_with_orm(actor, code, client_id, session_id)
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
        case = case_for(actor, code, lock=True, session_id=session_id)
    except NotFound:
        return None
    stored = Message.objects.filter(case=case, author=actor, client_id=client_id).values_list(
        "pk", flat=True
    )
    return case, stored.first()


def message_insert(
    *, case, author, client_id, body, body_html, corrects, confirmations, audit=None
):
    """Take the case's next seq and store the message; the case row must be locked.

    `audit(message)` (optional) returns the message's audit event, prepared with
    consult.audit.services.audit_prepare, or None to write none; it is appended in the same
    statement as the message on PostgreSQL, and the usual way elsewhere.
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
        deid_confirmations=confirmations,
        created_at=timezone.now(),
    )
    event = audit(message) if audit is not None else None
    if connection.vendor != "postgresql":
        case.save(update_fields=["last_seq", "updated_at"])
        message.save()
        if event is not None:
            audit_complete(event, None)
        return message
    params = {
        "seq": case.last_seq,
        "now": message.created_at,
        "case": case.pk,
        "author": author.pk,
        "client_id": client_id,
        "body": body,
        "body_html": body_html,
        "corrects": corrects.pk if corrects else None,
        "confirmations": orjson.dumps(confirmations).decode(),
    }
    if event is None:
        sql = INSERT_MESSAGE
    else:
        audit_sql, audit_params = append_cte(event)
        sql = INSERT_MESSAGE_AUDITED.format(
            move=_MOVE_CASE, audit=audit_sql, insert=_INSERT_MESSAGE
        )
        params.update(audit_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    message.pk = row[0]
    message._state.adding, message._state.db = False, connection.alias
    if event is not None:
        audit_complete(event, row[1:])
    return message


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
    UPDATE {Case._meta.db_table} AS c SET last_seq = c.last_seq + 1, updated_at = %(now)s
     WHERE c.code = %(code)s
       AND EXISTS (SELECT 1 FROM {Membership._meta.db_table} ms
                    WHERE ms.team_id = c.team_id AND ms.user_id = %(author)s)
       AND {grant_sql(user="%(author)s", role="%(role)s", session="%(session)s")}
       AND NOT EXISTS (SELECT 1 FROM {Message._meta.db_table} m
                        WHERE m.case_id = c.id AND m.author_id = %(author)s
                          AND m.client_id = %(client_id)s)
       AND EXISTS (SELECT 1 FROM {AuditHead._meta.db_table} h WHERE h.stream = %(audit_stream)s)
    RETURNING c.id, c.team_id, c.last_seq
),
inserted AS (
    INSERT INTO {Message._meta.db_table}
           (case_id, seq, author_id, client_id, body, body_html, corrects_id, deid_confirmations,
            created_at)
    SELECT moved.id, moved.last_seq, %(author)s, %(client_id)s, %(body)s, %(body_html)s, NULL,
           '[]'::jsonb, %(now)s
      FROM moved
    RETURNING id, seq
),
{{audit}}
SELECT moved.id, moved.team_id, inserted.id, inserted.seq,
       audit_event.id, audit_event.seq, audit_event.prev_hash, audit_event.hash
  FROM moved, inserted, audit_event"""


@functools.cache
def _plain_post_sql(audit_sql):
    return POST_PLAIN_MESSAGE.replace("{audit}", audit_sql)


def plain_message_post(
    *, author, case_code, client_id, body, body_html, audit_event, session_id=None
):
    """The stored message of a plain post made in one statement, or None when the general path
    must decide (only on PostgreSQL; see POST_PLAIN_MESSAGE). The row is committed on return.

    `audit_event` is the prepared message.posted event, its payload's seq a placeholder.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    audit_sql, params = append_cte_with_payload_seq(
        audit_event,
        source="inserted",
        payload_seq="inserted.seq",
        case_id_sql="(SELECT id FROM moved)",
    )
    params.update(
        {
            "now": audit_event.created_at,
            "code": case_code,
            "author": author.pk,
            "client_id": client_id,
            "body": body,
            "body_html": body_html,
            "role": author.role,
            "session": session_id,
        }
    )
    try:
        row = fetch_one_prepared(_plain_post_sql(audit_sql), params)
    except IntegrityError:
        return None  # the same client_id raced in from another socket: the general path finds it
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
            audit_event.created_at,
        ],
    )
    message.case, message.author = case, author
    audit_event.case = case
    audit_folded(audit_event, audit_row, payload_seq=seq)
    return message
