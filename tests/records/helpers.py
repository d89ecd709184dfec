"""Shared assertions for the clinical records' tests."""

from consult.audit.models import AuditEvent


def events(*, case=None, stream=None, since=0):
    """[(action, actor username, payload)] of a stream after `since`, in order."""
    rows = AuditEvent.objects.filter(
        **({"case": case} if case else {"stream": stream}), seq__gt=since
    )
    return [
        (e.action, e.actor.username if e.actor else None, e.payload)
        for e in rows.select_related("actor").order_by("seq")
    ]


def last_seq(*, case=None, stream=None):
    rows = AuditEvent.objects.filter(**({"case": case} if case else {"stream": stream}))
    return max(rows.values_list("seq", flat=True), default=0)
