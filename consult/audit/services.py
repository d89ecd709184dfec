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
    stream = stream or case_stream(case)
    seq, prev_hash = _advance_head(stream)
    now = timezone.now()
    body = chain.event_body(
        stream=stream,
        seq=seq,
        created_at=chain.timestamp(now),
        actor_id=actor.pk if actor else None,
        action=action,
        payload=payload or {},
    )
    event = AuditEvent.objects.create(
        stream=stream, seq=seq, case=case, created_at=now, actor=actor, action=action,
        payload=body["payload"], prev_hash=prev_hash, hash=chain.event_hash(prev_hash, body),
    )
    AuditHead.objects.filter(stream=stream).update(hash=event.hash)
    if seq % settings.AUDIT_CHECKPOINT_EVERY == 0:
        signed_checkpoint(stream=stream, seq=seq, hash=event.hash, signed_at=now).save()
    return event


def _advance_head(stream):
    """Take the next seq of a stream with one locking UPDATE; returns (seq, previous hash)."""
    row = _increment_head(stream)
    if row is None:
        # Two first appends may race to create the head: the loser's savepoint rolls back
        # and its increment then waits on the winner's row lock.
        try:
            with transaction.atomic():
                AuditHead.objects.create(stream=stream, seq=0, hash=chain.GENESIS)
        except IntegrityError:
            pass
        row = _increment_head(stream)
    return row


def _increment_head(stream):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditHead._meta.db_table} SET seq = seq + 1 WHERE stream = %s RETURNING seq, hash",
            [stream],
        )
        return cursor.fetchone()
