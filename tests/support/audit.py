"""The audit trail as tests assert it: one reader for every stream."""

from consult.accounts.models import User
from consult.audit.models import AuditEvent
from consult.cases.models import Case


def stream_of(subject):
    """A case's, a user's (security events) or a named stream."""
    if isinstance(subject, Case):
        return f"case:{subject.code}"
    if isinstance(subject, User):
        return f"user:{subject.pk}"
    return subject


def trail(subject, *, after=0, seq=False):
    """The stream's events after seq `after`, oldest first, as (action, actor username, payload),
    or (seq, action, actor username, payload) with `seq=True` (where the numbering is the point).
    """
    events = AuditEvent.objects.filter(stream=stream_of(subject), seq__gt=after)
    rows = [
        (e.seq, e.action, e.actor.username if e.actor else None, e.payload)
        for e in events.select_related("actor").order_by("seq")
    ]
    return rows if seq else [row[1:] for row in rows]


def last_seq(subject):
    """The stream's newest seq (0 when empty): pass it as `after` to see what an action adds."""
    events = AuditEvent.objects.filter(stream=stream_of(subject))
    return max(events.values_list("seq", flat=True), default=0)
