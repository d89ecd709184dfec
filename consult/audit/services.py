"""Writing the trail: one append function every action calls, inside its own transaction."""
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from consult.audit import chain
from consult.audit.checkpoints import signed_checkpoint
from consult.audit.models import AuditEvent, AuditHead


def case_stream(case):
    return f"case:{case.code}"


def audit_append(*, action, actor=None, case=None, stream=None, payload=None):
    """Append one event to a stream's chain, inside the caller's transaction.

    The caller's action and this event commit or roll back together. The head row lock makes
    concurrent appends to one stream queue up, so the chain never forks or gaps. Every
    AUDIT_CHECKPOINT_EVERY events the new head is signed in the same transaction.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_append must run inside the action's transaction")
    event = AuditEvent(stream=stream or case_stream(case), case=case, created_at=timezone.now(),
                       actor=actor, action=action, payload=payload or {})
    append = _append_postgres if connection.vendor == "postgresql" else _append_portable
    if not append(event):
        _create_head(event.stream)
        append(event)
    if event.seq % settings.AUDIT_CHECKPOINT_EVERY == 0:
        signed_checkpoint(stream=event.stream, seq=event.seq, hash=event.hash, signed_at=event.created_at).save()
    return event


def _body(event, seq):
    return chain.event_body(stream=event.stream, seq=seq, created_at=chain.timestamp(event.created_at),
                            actor_id=event.actor_id, action=event.action, payload=event.payload)


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
# values before the update, so prev_hash keeps the previous hash.
APPEND_POSTGRES = f"""
WITH head AS (
    UPDATE {AuditHead._meta.db_table}
    SET seq = seq + 1, prev_hash = hash,
        hash = encode(sha256(convert_to(hash || %s || (seq + 1)::text || %s, 'UTF8')), 'hex')
    WHERE stream = %s
    RETURNING seq, prev_hash, hash
)
INSERT INTO {AuditEvent._meta.db_table}
    (stream, seq, case_id, created_at, actor_id, action, payload, prev_hash, hash)
SELECT %s, seq, %s, %s, %s, %s, %s, prev_hash, hash FROM head
RETURNING id, seq, prev_hash, hash
"""


def _append_postgres(event):
    """Returns False, writing nothing, when the stream has no head yet."""
    before, after = chain.canonical_json_around_seq(_body(event, seq=0))
    payload = AuditEvent._meta.get_field("payload").get_db_prep_value(event.payload, connection)
    with connection.cursor() as cursor:
        cursor.execute(APPEND_POSTGRES, [before, after, event.stream, event.stream, event.case_id,
                                         event.created_at, event.actor_id, event.action, payload])
        row = cursor.fetchone()
    if row is None:
        return False
    event.pk, event.seq, event.prev_hash, event.hash = row
    event._state.adding, event._state.db = False, connection.alias
    return True


def _append_portable(event):
    """SQLite and others: lock and advance the head, hash in Python, insert, move the head."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditHead._meta.db_table} SET seq = seq + 1, prev_hash = hash "
                       "WHERE stream = %s RETURNING seq, prev_hash", [event.stream])
        row = cursor.fetchone()
    if row is None:
        return False
    event.seq, event.prev_hash = row
    event.hash = chain.event_hash(event.prev_hash, _body(event, event.seq))
    event.save()
    AuditHead.objects.filter(stream=event.stream).update(hash=event.hash)
    return True
