"""Writing the trail: one append function every action calls, inside its own transaction."""

import functools

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from consult.audit import chain
from consult.audit.checkpoints import signed_checkpoint
from consult.audit.models import AuditEvent, AuditHead


def case_stream(case):
    return case_stream_of(case.code)


def case_stream_of(case_code):
    return f"case:{case_code}"


def audit_append(*, action, actor=None, case=None, stream=None, payload=None):
    """Append one event to a stream's chain, inside the caller's transaction.

    The caller's action and this event commit or roll back together. The head row lock makes
    concurrent appends to one stream queue up, so the chain never forks or gaps. Every
    AUDIT_CHECKPOINT_EVERY events the new head is signed in the same transaction.
    """
    event = audit_prepare(action=action, actor=actor, case=case, stream=stream, payload=payload)
    _append(event)
    _checkpoint_if_due(event)
    return event


def audit_prepare(*, action, actor=None, case=None, stream=None, payload=None):
    """An event not yet appended, for an action that folds the append into its own statement.

    On PostgreSQL the action adds `append_cte(event)` to its statement and then calls
    `audit_complete(event, row)`; elsewhere it calls `audit_complete(event, None)`.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_append must run inside the action's transaction")
    return statement_event(action=action, actor=actor, case=case, stream=stream, payload=payload)


def statement_event(*, action, actor=None, case=None, stream=None, payload=None):
    """An event for an action done in one autocommit statement that appends it too
    (append_cte_with_payload_seq): the statement is the transaction."""
    return AuditEvent(
        stream=stream or case_stream(case),
        case=case,
        created_at=timezone.now(),
        actor=actor,
        action=action,
        payload=payload or {},
    )


def audit_complete(event, row):
    """Finish a folded append: `row` is what the statement read from the `audit_event` CTE
    (id, seq, prev_hash, hash), or None/Nones when nothing was appended (the stream had no head
    yet, or the database is not PostgreSQL): then the event is appended the usual way."""
    if row is None or row[0] is None:
        _append(event)
    else:
        _appended(event, row)
    _checkpoint_if_due(event)
    return event


def _append(event):
    append = _append_postgres if connection.vendor == "postgresql" else _append_portable
    if not append(event):
        _create_head(event.stream)
        append(event)


def _checkpoint_if_due(event):
    if event.seq % settings.AUDIT_CHECKPOINT_EVERY == 0:
        signed_checkpoint(
            stream=event.stream, seq=event.seq, hash=event.hash, signed_at=event.created_at
        ).save()


def _appended(event, row):
    event.pk, event.seq, event.prev_hash, event.hash = row
    event._state.adding, event._state.db = False, connection.alias


def _body(event, seq):
    return chain.event_body(
        stream=event.stream,
        seq=seq,
        created_at=chain.timestamp(event.created_at),
        actor_id=event.actor_id,
        action=event.action,
        payload=event.payload,
    )


def _create_head(stream):
    # Two first appends may race to create the head: the loser's savepoint rolls back and
    # its append then waits on the winner's row lock.
    try:
        with transaction.atomic():
            AuditHead.objects.create(stream=stream, seq=0, hash=chain.GENESIS)
    except IntegrityError:
        pass


# PostgreSQL: one round trip. The UPDATE locks the head, takes the next seq and hashes the
# event in SQL (sha256 of the previous hash and the canonical JSON, which Python prepares
# around the seq); the INSERT writes the event from what the UPDATE returned. The append is
# on every action's critical path (bench/audit_cost.py). In SET, `seq` and `hash` are the
# values before the update, so prev_hash keeps the previous hash. Written as two CTEs
# (`audit_head`, `audit_event`) with named parameters so that an action's own statement can
# include them (message_post does: consult/cases/posting.py); neither CTE writes anything when
# the stream has no head.
APPEND_CTE = f"""
audit_head AS (
    UPDATE {AuditHead._meta.db_table}
    SET seq = seq + 1, prev_hash = hash,
        hash = encode(sha256(convert_to(
            hash || %(audit_before)s || (seq + 1)::text || %(audit_after)s, 'UTF8')), 'hex')
    WHERE stream = %(audit_stream)s
    RETURNING seq, prev_hash, hash
),
audit_event AS (
    INSERT INTO {AuditEvent._meta.db_table}
        (stream, seq, case_id, created_at, actor_id, action, payload, prev_hash, hash)
    SELECT %(audit_stream)s, seq, %(audit_case)s, %(audit_created_at)s, %(audit_actor)s,
           %(audit_action)s, %(audit_payload)s, prev_hash, hash
      FROM audit_head
    RETURNING id, seq, prev_hash, hash
)"""

APPEND_POSTGRES = f"WITH {APPEND_CTE}\nSELECT id, seq, prev_hash, hash FROM audit_event"


def append_cte(event):
    """(SQL, params) of the CTEs `audit_head` and `audit_event` that append `event` on PostgreSQL.

    Put the SQL after WITH (or a comma) in one statement, merge the params into the statement's
    named params, read `audit_event`'s (id, seq, prev_hash, hash) and pass them to audit_complete.
    """
    before, after = chain.canonical_json_around_seq(_body(event, seq=0))
    payload = AuditEvent._meta.get_field("payload").get_db_prep_value(event.payload, connection)
    return APPEND_CTE, {
        "audit_before": before,
        "audit_after": after,
        "audit_stream": event.stream,
        "audit_case": event.case_id,
        "audit_created_at": event.created_at,
        "audit_actor": event.actor_id,
        "audit_action": event.action,
        "audit_payload": payload,
    }


# The same append for an event whose payload ends with a "seq" that the including statement
# assigns (message_post's one-statement path numbers the message and audits it together):
# the payload and the hashed text are completed in SQL with `{payload_seq}`, an SQL
# expression of that statement. Nothing is written unless `{source}` (a CTE of the statement
# that yields the seq) has a row.
APPEND_CTE_WITH_PAYLOAD_SEQ = f"""
audit_head AS (
    UPDATE {AuditHead._meta.db_table} AS head
    SET seq = head.seq + 1, prev_hash = head.hash,
        hash = encode(sha256(convert_to(
            head.hash || %(audit_before)s || {{payload_seq}}::text || %(audit_between)s
            || (head.seq + 1)::text || %(audit_after)s, 'UTF8')), 'hex')
      FROM {{source}}
     WHERE head.stream = %(audit_stream)s
    RETURNING head.seq, head.prev_hash, head.hash
),
audit_event AS (
    INSERT INTO {AuditEvent._meta.db_table}
        (stream, seq, case_id, created_at, actor_id, action, payload, prev_hash, hash)
    SELECT %(audit_stream)s, audit_head.seq, %(audit_case)s, %(audit_created_at)s, %(audit_actor)s,
           %(audit_action)s, (%(audit_payload_head)s || {{payload_seq}}::text || '}}')::jsonb,
           audit_head.prev_hash, audit_head.hash
      FROM audit_head, {{source}}
    RETURNING id, seq, prev_hash, hash
)"""

PAYLOAD_SEQ_PLACEHOLDER = -1


def append_cte_with_payload_seq(event, *, source, payload_seq, case_id_sql=None):
    """(SQL, params) like append_cte, for `event` whose payload's last key is "seq" and whose
    value is the SQL expression `payload_seq` over the CTE `source` of the same statement.

    `event.payload["seq"]` must be PAYLOAD_SEQ_PLACEHOLDER; `case_id_sql`, when given, is the
    SQL expression of the event's case id (a case the statement itself finds by its code).
    Pass the statement's (id, seq, prev_hash, hash) of `audit_event` to audit_folded.
    """
    assert list(event.payload)[-1] == "seq" and event.payload["seq"] == PAYLOAD_SEQ_PLACEHOLDER
    assert sorted(event.payload) == list(event.payload), (
        "the payload's keys must be in canonical order"
    )
    before, after = chain.canonical_json_around_seq(_body(event, seq=0))
    placeholder = f'"seq":{PAYLOAD_SEQ_PLACEHOLDER}}}'
    before_seq, found, between = before.rpartition(placeholder)
    assert found and placeholder not in before_seq, (
        "the payload's seq must be the last value before the event's seq"
    )
    payload = chain.canonical_json(event.payload).decode()
    return _append_sql_with_payload_seq(source, payload_seq, case_id_sql), {
        "audit_before": before_seq + '"seq":',
        "audit_between": "}" + between,
        "audit_after": after,
        "audit_stream": event.stream,
        "audit_case": event.case_id,
        "audit_created_at": event.created_at,
        "audit_actor": event.actor_id,
        "audit_action": event.action,
        "audit_payload_head": payload[: -len(f"{PAYLOAD_SEQ_PLACEHOLDER}}}")],
    }


@functools.cache
def _append_sql_with_payload_seq(source, payload_seq, case_id_sql):
    # The same few SQL expressions every time: the statement text is built once, not per post.
    sql = APPEND_CTE_WITH_PAYLOAD_SEQ.replace("{source}", source).replace(
        "{payload_seq}", payload_seq
    )
    return sql if case_id_sql is None else sql.replace("%(audit_case)s", case_id_sql)


def audit_folded(event, row, payload_seq):
    """Finish an append made by append_cte_with_payload_seq's CTEs, committed with the statement."""
    event.payload = {**event.payload, "seq": payload_seq}
    _appended(event, row)
    _checkpoint_if_due(event)
    return event


def _append_postgres(event):
    """Returns False, writing nothing, when the stream has no head yet."""
    _, params = append_cte(event)
    with connection.cursor() as cursor:
        cursor.execute(APPEND_POSTGRES, params)
        row = cursor.fetchone()
    if row is None:
        return False
    _appended(event, row)
    return True


def _append_portable(event):
    """SQLite and others: lock and advance the head, hash in Python, insert, move the head."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditHead._meta.db_table} SET seq = seq + 1, prev_hash = hash "
            "WHERE stream = %s RETURNING seq, prev_hash",
            [event.stream],
        )
        row = cursor.fetchone()
    if row is None:
        return False
    event.seq, event.prev_hash = row
    event.hash = chain.event_hash(event.prev_hash, _body(event, event.seq))
    event.save()
    AuditHead.objects.filter(stream=event.stream).update(hash=event.hash)
    return True
