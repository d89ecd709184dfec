from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from consult.audit import chain
from consult.audit.models import AuditEvent, AuditHead


def case_stream(case):
    return f"case:{case.code}"


def audit_append(*, action, actor=None, case=None, stream=None, payload=None):
    """Append one event to a stream's chain, inside the caller's transaction.

    The caller's action and this event commit or roll back together. The head row lock makes
    concurrent appends to one stream queue up, so the chain never forks or gaps.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_append must run inside the action's transaction")
    stream = stream or case_stream(case)
    head = _locked_head(stream)
    now = timezone.now()
    body = chain.event_body(
        stream=stream,
        seq=head.seq + 1,
        created_at=now.isoformat(),
        actor_id=actor.pk if actor else None,
        action=action,
        payload=payload or {},
    )
    event = AuditEvent.objects.create(
        stream=stream,
        seq=body["seq"],
        case=case,
        created_at=now,
        actor=actor,
        action=action,
        payload=body["payload"],
        prev_hash=head.hash,
        hash=chain.event_hash(head.hash, body),
    )
    AuditHead.objects.filter(stream=stream).update(seq=event.seq, hash=event.hash)
    return event


def _locked_head(stream):
    head = AuditHead.objects.select_for_update().filter(stream=stream).first()
    if head is None:
        # Two first appends may race to create the head: the loser's savepoint rolls back
        # and it locks the winner's row instead.
        try:
            with transaction.atomic():
                AuditHead.objects.create(stream=stream, seq=0, hash=chain.GENESIS)
        except IntegrityError:
            pass
        head = AuditHead.objects.select_for_update().get(stream=stream)
    return head
