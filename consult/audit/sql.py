"""Every SQL statement of the trail's writes, and the pieces another statement includes to append.

Two ways in to the trail, no third:
  1. `consult.audit.services.audit_append(...)`, which every action calls inside its own
     transaction (it runs `append` below);
  2. for an action whose own statement must append its event in that same statement (a message
     post: the event then costs no extra round trip inside the case row lock;
     consult/cases/store.py), the names below under "Appending inside another statement". The
     including statement never names an audit table or CTE itself: it places `ctes` after WITH
     (or a comma), reads `APPENDED_COLUMNS` from `APPENDED`, and hands that row back.

On PostgreSQL an append is one round trip. The UPDATE locks the stream's head, takes the next seq
and hashes the event in SQL (sha256 of the previous hash and the canonical JSON, which Python
prepares around the seq); the INSERT writes the event from what the UPDATE returned. In SET, `seq`
and `hash` are the values before the update, so prev_hash keeps the previous hash. Neither CTE
writes anything when the stream has no head yet: the append then creates it and tries again.
Other databases (the embedded SQLite) take three statements with the hash computed in Python.
"""

import functools

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from consult.audit import chain
from consult.audit.checkpoints import checkpoint_if_due
from consult.audit.kinds import Action
from consult.audit.models import AuditEvent, AuditHead

HEADS, EVENTS = AuditHead._meta.db_table, AuditEvent._meta.db_table

APPEND_CTE = f"""
audit_head AS (
    UPDATE {HEADS}
    SET seq = seq + 1, prev_hash = hash,
        hash = encode(sha256(convert_to(
            hash || %(audit_before)s || (seq + 1)::text || %(audit_after)s, 'UTF8')), 'hex')
    WHERE stream = %(audit_stream)s
    RETURNING seq, prev_hash, hash
),
audit_event AS (
    INSERT INTO {EVENTS}
        (stream, seq, case_id, created_at, actor_id, action, payload, prev_hash, hash)
    SELECT %(audit_stream)s, seq, %(audit_case)s, %(audit_created_at)s, %(audit_actor)s,
           %(audit_action)s, %(audit_payload)s, prev_hash, hash
      FROM audit_head
    RETURNING id, seq, prev_hash, hash
)"""

# The same append for an event whose payload ends with a "seq" that the including statement
# assigns (a plain post numbers the message and audits it together): the payload and the hashed
# text are completed in SQL with `{payload_seq}`, an SQL expression of that statement. Nothing is
# written unless `{source}` (a CTE of the statement that yields the seq) has a row.
APPEND_CTE_NUMBERED = f"""
audit_head AS (
    UPDATE {HEADS} AS head
    SET seq = head.seq + 1, prev_hash = head.hash,
        hash = encode(sha256(convert_to(
            head.hash || %(audit_before)s || {{payload_seq}}::text || %(audit_between)s
            || (head.seq + 1)::text || %(audit_after)s, 'UTF8')), 'hex')
      FROM {{source}}
     WHERE head.stream = %(audit_stream)s
    RETURNING head.seq, head.prev_hash, head.hash
),
audit_event AS (
    INSERT INTO {EVENTS}
        (stream, seq, case_id, created_at, actor_id, action, payload, prev_hash, hash)
    SELECT %(audit_stream)s, audit_head.seq, %(audit_case)s, %(audit_created_at)s, %(audit_actor)s,
           %(audit_action)s, (%(audit_payload_head)s || {{payload_seq}}::text || '}}')::jsonb,
           audit_head.prev_hash, audit_head.hash
      FROM audit_head, {{source}}
    RETURNING id, seq, prev_hash, hash
)"""

APPEND_POSTGRES = f"WITH {APPEND_CTE}\nSELECT id, seq, prev_hash, hash FROM audit_event"
ADVANCE_HEAD_PORTABLE = (
    f"UPDATE {HEADS} SET seq = seq + 1, prev_hash = hash WHERE stream = %s RETURNING seq, prev_hash"
)
PAYLOAD_SEQ_PLACEHOLDER = -1


def new_event(*, action, actor=None, case=None, stream, payload=None):
    """An event not yet appended. `action` must be one of kinds.Action (ValueError otherwise):
    the trail's vocabulary is closed."""
    return AuditEvent(
        stream=stream,
        case=case,
        created_at=timezone.now(),
        actor=actor,
        action=Action(action).value,
        payload=payload or {},
    )


def append(event):
    """Append `event` inside the caller's transaction (audit_append's statements)."""
    run = _append_postgres if connection.vendor == "postgresql" else _append_portable
    if not run(event):
        _create_head(event.stream)
        run(event)


def _append_postgres(event):
    """Returns False, writing nothing, when the stream has no head yet."""
    _, params = append_in_statement(event)
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
        cursor.execute(ADVANCE_HEAD_PORTABLE, [event.stream])
        row = cursor.fetchone()
    if row is None:
        return False
    event.seq, event.prev_hash = row
    event.hash = chain.event_hash(event.prev_hash, _body(event, event.seq))
    event.save()
    AuditHead.objects.filter(stream=event.stream).update(hash=event.hash)
    return True


def _create_head(stream):
    # Two first appends may race to create the head: the loser's savepoint rolls back and
    # its append then waits on the winner's row lock.
    try:
        with transaction.atomic():
            AuditHead.objects.create(stream=stream, seq=0, hash=chain.GENESIS)
    except IntegrityError:
        pass


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


# --- Appending inside another statement (PostgreSQL) -------------------------------------------

APPENDED = "audit_event"  # the CTE the including statement reads the appended event from
APPENDED_COLUMNS = "audit_event.id, audit_event.seq, audit_event.prev_hash, audit_event.hash"
# A condition the including statement may test first: the event's stream has its head (when it
# has none, the CTEs write nothing and `append_completed` appends the usual way).
STREAM_HAS_HEAD = f"EXISTS (SELECT 1 FROM {HEADS} h WHERE h.stream = %(audit_stream)s)"


def event_numbered_by_statement(*, action, actor, stream, payload):
    """An event whose payload ends with "seq": the number the including statement gives the row
    it audits (append_numbered_in_statement), or that the caller sets with `numbered`."""
    payload = {**payload, "seq": PAYLOAD_SEQ_PLACEHOLDER}
    assert list(payload) == sorted(payload), "seq must be the payload's last key in canonical order"
    return new_event(action=action, actor=actor, stream=stream, payload=payload)


def numbered(event, *, seq, case):
    """The event with its payload's seq and its case known in Python: for append_in_statement.
    Stamped now, as the statement that appends it is about to run under the case's row lock."""
    event.payload = {**event.payload, "seq": seq}
    event.case, event.created_at = case, timezone.now()
    return event


def append_in_statement(event):
    """(ctes, params) that append `event` in the including statement: put `ctes` after WITH (or a
    comma), merge `params` into the statement's named params, read APPENDED_COLUMNS from APPENDED
    (a LEFT JOIN gives Nones when the stream had no head) and pass them to append_completed."""
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


def append_completed(event, row):
    """Finish append_in_statement's append: `row` is what the statement read (APPENDED_COLUMNS),
    or None/Nones when nothing was appended (the stream had no head yet, or the database is not
    PostgreSQL and the statement was not run): then the event is appended the usual way."""
    if row is None or row[0] is None:
        append(event)
    else:
        _appended(event, row)
    checkpoint_if_due(event)
    return event


def append_numbered_in_statement(event, *, source, payload_seq, case_id_sql):
    """(ctes, params) like append_in_statement, for an event_numbered_by_statement whose payload's
    seq is the SQL expression `payload_seq` over the CTE `source` of the same statement, and whose
    case id is the SQL expression `case_id_sql`. Nothing is appended unless `source` has a row.
    Pass the statement's APPENDED_COLUMNS to numbered_append_completed, committed with it."""
    before, after = chain.canonical_json_around_seq(_body(event, seq=0))
    placeholder = f'"seq":{PAYLOAD_SEQ_PLACEHOLDER}}}'
    before_seq, found, between = before.rpartition(placeholder)
    assert found and placeholder not in before_seq, (
        "the payload's seq must be the last value before the event's seq"
    )
    payload = chain.canonical_json(event.payload).decode()
    return _numbered_ctes(source, payload_seq, case_id_sql), {
        "audit_before": before_seq + '"seq":',
        "audit_between": "}" + between,
        "audit_after": after,
        "audit_stream": event.stream,
        "audit_created_at": event.created_at,
        "audit_actor": event.actor_id,
        "audit_action": event.action,
        "audit_payload_head": payload[: -len(f"{PAYLOAD_SEQ_PLACEHOLDER}}}")],
    }


@functools.cache
def _numbered_ctes(source, payload_seq, case_id_sql):
    # The same few SQL expressions every time: the statement text is built once, not per post.
    sql = APPEND_CTE_NUMBERED.replace("{source}", source).replace("{payload_seq}", payload_seq)
    return sql.replace("%(audit_case)s", case_id_sql)


def numbered_append_completed(event, row, *, seq, case):
    """Finish append_numbered_in_statement's append (committed with its statement)."""
    event.payload = {**event.payload, "seq": seq}
    event.case = case
    _appended(event, row)
    checkpoint_if_due(event)
    return event


# --- The database checks' reads (consult/audit/checks.py) -----------------------------------------

ROLE = "SELECT rolname, rolsuper FROM pg_roles WHERE rolname = COALESCE(%s, session_user)"
TABLES_OWNED = (
    "SELECT tablename FROM pg_tables WHERE schemaname = ANY(current_schemas(false)) "
    "AND tableowner = %s AND tablename = ANY(%s) ORDER BY tablename"
)
TABLES_WRITABLE = (
    "SELECT c.relname FROM pg_class c WHERE c.relname = ANY(%s) AND pg_table_is_visible(c.oid) "
    "AND has_table_privilege(%s, c.oid, 'UPDATE, DELETE, TRUNCATE') ORDER BY c.relname"
)
