"""A case's trail as JSON Lines, with everything needed to verify it offline.

Line 1 is a header; then one line per event (the hashed fields, prev_hash and hash); then one
line per checkpoint. Every line is canonical JSON, so any edited byte shows: in an event it
breaks its hash, in the header its counts, in a checkpoint its match with the chain (and,
for whoever holds AUDIT_HMAC_KEY, its signature). See docs/audit.md.
"""

from django.db import transaction

from consult.audit import chain
from consult.audit.kinds import Action, case_stream
from consult.audit.services import audit_append
from consult.audit.trail import checkpoint_rows, event_rows

FORMAT = "consult-audit-jsonl/1"
EVENT_LINE_FIELDS = (
    "stream",
    "seq",
    "created_at",
    "actor_id",
    "action",
    "payload",
    "prev_hash",
    "hash",
)


def audit_export(*, actor, case):
    """Record the export on the trail, then return the lines, ending with that very event.

    The caller has checked that `actor` may read the case's trail (consult/cases/trail_views.py).
    The head stays locked until commit, so no event can slip in between the two.
    """
    with transaction.atomic():
        audit_append(
            action=Action.AUDIT_EXPORTED, actor=actor, case=case, payload={"format": FORMAT}
        )
        stream = case_stream(case.code)
        events = [_event_line(row) for row in event_rows(stream)]
        checkpoints = [{"type": "checkpoint", **row} for row in checkpoint_rows(stream)]
    header = {
        "type": "header",
        "format": FORMAT,
        "stream": stream,
        "events": len(events),
        "checkpoints": len(checkpoints),
    }
    return [chain.canonical_json(line) + b"\n" for line in [header, *events, *checkpoints]]


def _event_line(row):
    return {"type": "event", **{name: row[name] for name in EVENT_LINE_FIELDS}}
