"""Signing stream heads with AUDIT_HMAC_KEY, so a rewritten chain cannot pass as the original."""

from django.conf import settings
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from consult.audit import chain
from consult.audit.models import AuditCheckpoint, AuditHead


def signed_checkpoint(*, stream, seq, hash, signed_at):
    body = chain.checkpoint_body(
        stream=stream, seq=seq, hash=hash, signed_at=chain.timestamp(signed_at)
    )
    return AuditCheckpoint(
        stream=stream,
        seq=seq,
        hash=hash,
        signed_at=signed_at,
        hmac=chain.checkpoint_hmac(settings.AUDIT_HMAC_KEY, body),
    )


def checkpoint_all_streams():
    """Sign the head of every stream that moved since its last checkpoint; returns their number.

    Safe to run from several processes at once: a head signed twice keeps one checkpoint.
    The scheduler calls this periodically; `manage.py audit_checkpoint` runs it by hand.
    """
    now = timezone.now()
    checkpoints = [
        signed_checkpoint(stream=head.stream, seq=head.seq, hash=head.hash, signed_at=now)
        for head in moved_heads()
    ]
    AuditCheckpoint.objects.bulk_create(checkpoints, ignore_conflicts=True)
    return len(checkpoints)


def moved_heads():
    """Heads past their stream's last checkpoint, read in one statement (one snapshot)."""
    last_signed = (
        AuditCheckpoint.objects.filter(stream=OuterRef("stream"))
        .values("stream")
        .annotate(last=Max("seq"))
        .values("last")
    )
    heads = AuditHead.objects.annotate(last_signed=Subquery(last_signed)).filter(seq__gt=0)
    return [h for h in heads.order_by("stream") if h.last_signed is None or h.seq > h.last_signed]


def checkpoint_if_due(event):
    """Every AUDIT_CHECKPOINT_EVERY events, sign the new head in the append's transaction."""
    if event.seq % settings.AUDIT_CHECKPOINT_EVERY == 0:
        signed_checkpoint(
            stream=event.stream, seq=event.seq, hash=event.hash, signed_at=event.created_at
        ).save()
