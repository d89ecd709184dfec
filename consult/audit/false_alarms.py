"""One audit shape for a writer's "this is not an identifier", whatever the field.

    deid.false_alarm_confirmed  {<record key>: id, field, start, end, kind, text_sha256}

The record key names what holds the text (message_id, plan_version_id...:
consult/falsealarms/records.py); offsets count code points in the text the guard checked;
text_sha256 is the hash of that whole field, never the span's text,
so a later redaction can tell the text has not changed since.
"""

from consult.audit.chain import content_hash
from consult.audit.kinds import Action
from consult.audit.services import audit_append

CONFIRMED = Action.DEID_FALSE_ALARM_CONFIRMED
REDACTED = Action.DEID_REDACTED


def false_alarms_audit(*, actor, case, record, accepted, texts, stream=None):
    """One event per confirmed span.

    `accepted` is {field: [Confirmation]} as guard_fields returns it."""
    for field, confirmations in accepted.items():
        for confirmation in confirmations:
            audit_append(
                action=CONFIRMED,
                actor=actor,
                case=case,
                stream=stream,
                payload={
                    **record,
                    "field": field,
                    **confirmation.as_dict(),
                    "text_sha256": content_hash(texts[field]),
                },
            )
