"""Writing the trail: one append function every action calls, inside its own transaction.

(The one other way in, for a statement that appends its own event: consult/audit/sql.py.)
"""

from django.db import connection

from consult.audit import sql
from consult.audit.checkpoints import checkpoint_if_due
from consult.audit.kinds import case_stream


def audit_append(*, action, actor=None, case=None, stream=None, payload=None):
    """Append one event to a stream's chain, inside the caller's transaction.

    The stream is the case's unless given. The caller's action and this event commit or roll
    back together. The head row lock makes concurrent appends to one stream queue up, so the
    chain never forks or gaps. Every AUDIT_CHECKPOINT_EVERY events the new head is signed in the
    same transaction.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_append must run inside the action's transaction")
    event = sql.new_event(
        action=action,
        actor=actor,
        case=case,
        stream=stream or case_stream(case.code),
        payload=payload,
    )
    sql.append(event)
    checkpoint_if_due(event)
    return event
