"""The two database steps of posting a message, in as few round trips as PostgreSQL allows.

message_post runs for every chat line, so its SQL is written out here: one locking read
that authorises the poster and finds a stored retry, and one statement that takes the next
seq and inserts the message. Other databases (the embedded SQLite) use the ORM versions.
The rules are the same as everywhere: the case exists for members of its team only, and its
row lock orders the room's messages.
"""
import orjson
from django.db import connection
from django.utils import timezone

from consult.accounts.models import Membership
from consult.cases.access import case_for_member
from consult.cases.models import Case, Message
from consult.core.errors import NotFound

LOCK_CASE_FOR_POSTER = f"""
SELECT c.id, c.team_id, c.last_seq,
       (SELECT m.id FROM {Message._meta.db_table} m
         WHERE m.case_id = c.id AND m.author_id = %(actor)s AND m.client_id = %(client_id)s)
  FROM {Case._meta.db_table} c
 WHERE c.code = %(code)s
   AND EXISTS (SELECT 1 FROM {Membership._meta.db_table} ms WHERE ms.team_id = c.team_id AND ms.user_id = %(actor)s)
   FOR UPDATE OF c
"""

INSERT_MESSAGE = f"""
WITH moved AS (UPDATE {Case._meta.db_table} SET last_seq = %(seq)s, updated_at = %(now)s WHERE id = %(case)s)
INSERT INTO {Message._meta.db_table}
       (case_id, seq, author_id, client_id, body, body_html, corrects_id, deid_confirmations, created_at)
VALUES (%(case)s, %(seq)s, %(author)s, %(client_id)s, %(body)s, %(body_html)s, %(corrects)s,
        %(confirmations)s::jsonb, %(now)s)
RETURNING id
"""


def lock_case_for_poster(actor, code, client_id):
    """(case, id of the message already stored under client_id or None), the case row locked.

    None when the actor is not a member of the case's team (or there is no such case).
    """
    if connection.vendor != "postgresql":
        return _lock_case_with_orm(actor, code, client_id)
    with connection.cursor() as cursor:
        cursor.execute(LOCK_CASE_FOR_POSTER, {"actor": actor.pk, "client_id": client_id, "code": code})
        row = cursor.fetchone()
    if row is None:
        return None
    case_id, team_id, last_seq, stored_id = row
    # Only what posting needs is loaded; any other field is fetched if something reads it.
    case = Case.from_db(connection.alias, ["id", "code", "team_id", "last_seq"], [case_id, code, team_id, last_seq])
    return case, stored_id


def _lock_case_with_orm(actor, code, client_id):
    try:
        case = case_for_member(actor, code, lock=True)
    except NotFound:
        return None
    stored = Message.objects.filter(case=case, author=actor, client_id=client_id).values_list("pk", flat=True)
    return case, stored.first()


def message_insert(*, case, author, client_id, body, body_html, corrects, confirmations):
    """Take the case's next seq and store the message; the case row must be locked."""
    case.last_seq += 1
    message = Message(
        case=case, seq=case.last_seq, author=author, client_id=client_id, body=body, body_html=body_html,
        corrects=corrects, deid_confirmations=confirmations, created_at=timezone.now(),
    )
    if connection.vendor != "postgresql":
        case.save(update_fields=["last_seq", "updated_at"])
        message.save()
        return message
    with connection.cursor() as cursor:
        cursor.execute(INSERT_MESSAGE, {
            "seq": case.last_seq, "now": message.created_at, "case": case.pk, "author": author.pk,
            "client_id": client_id, "body": body, "body_html": body_html,
            "corrects": corrects.pk if corrects else None,
            "confirmations": orjson.dumps(confirmations).decode(),
        })
        message.pk = cursor.fetchone()[0]
    message._state.adding, message._state.db = False, connection.alias
    return message
