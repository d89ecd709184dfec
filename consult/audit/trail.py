"""Reading trails out of the database for the verifier, the export and the audit page."""

from itertools import groupby

from django.conf import settings
from django.db.models import F

from consult.audit import chain
from consult.audit.models import AuditCheckpoint, AuditEvent, AuditHead
from consult.audit.verify import verify_stream

EVENT_FIELDS = (
    "id",
    "stream",
    "seq",
    "created_at",
    "actor_id",
    "action",
    "payload",
    "prev_hash",
    "hash",
)
CHECKPOINT_FIELDS = ("stream", "seq", "hash", "signed_at", "hmac")


def event_rows(stream=None):
    """Every event as a dict the verifier reads, in (stream, seq) order,
    streamed from the database."""
    events = AuditEvent.objects.order_by("stream", "seq")
    if stream is not None:
        events = events.filter(stream=stream)
    for row in events.values(*EVENT_FIELDS, case_code=F("case__code")).iterator(chunk_size=2000):
        row["created_at"] = chain.timestamp(row["created_at"])
        yield row


def checkpoint_rows(stream=None):
    checkpoints = AuditCheckpoint.objects.order_by("stream", "seq")
    if stream is not None:
        checkpoints = checkpoints.filter(stream=stream)
    rows = []
    for row in checkpoints.values(*CHECKPOINT_FIELDS):
        row["signed_at"] = chain.timestamp(row["signed_at"])
        rows.append(row)
    return rows


def verify_trail(stream=None, exported=None):
    """Verify one stream, or every stream; returns a StreamReport per stream, by stream name.

    `exported` ({stream: [checkpoint]}, consult.audit.heads): checkpoints kept outside the
    database that the chains must still reach, e.g. those exported before a backup.
    """
    exported = exported or {}
    if stream is not None:
        exported = {stream: exported[stream]} if stream in exported else {}
    heads = AuditHead.objects.all() if stream is None else AuditHead.objects.filter(stream=stream)
    heads = {h.stream: {"seq": h.seq, "hash": h.hash} for h in heads}
    checkpoints = {name: list(rows) for name, rows in groupby(checkpoint_rows(stream), key=_stream)}
    reports = {}
    for name, events in groupby(event_rows(stream), key=_stream):
        reports[name] = _verify(name, events, checkpoints, heads, exported)
    for name in (heads.keys() | checkpoints.keys() | exported.keys()) - reports.keys():
        reports[name] = _verify(name, [], checkpoints, heads, exported)
    return [reports[name] for name in sorted(reports)]


def _verify(name, events, checkpoints, heads, exported):
    return verify_stream(
        name,
        events,
        checkpoints.get(name, []),
        key=settings.AUDIT_HMAC_KEY,
        checkpoint_every=settings.AUDIT_CHECKPOINT_EVERY,
        head=heads.get(name),
        exported=exported.get(name, ()),
    )


def _stream(row):
    return row["stream"]
