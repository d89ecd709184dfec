"""The supervisors' second look at confirmed false alarms: a list, and redaction of a span.

A redaction replaces one confirmed span of a stored text with PLACEHOLDER. The span is found
from the confirmation's offsets, moved by the redactions made since in the same field; the
field's hash chain (the confirmation's text_sha256, then each redaction's from/to hashes)
proves the text is still the one that was confirmed, so nothing else is ever cut. The original
text is kept nowhere: the record is updated in place and the trail holds hashes and offsets.
"""

from dataclasses import dataclass

from django.db import transaction

from consult.accounts.models import User
from consult.audit.chain import content_hash
from consult.audit.false_alarms import CONFIRMED, REDACTED
from consult.audit.kinds import Action, case_stream
from consult.audit.selectors import case_event, stream_events
from consult.audit.services import audit_append
from consult.cases.access import Need, case_for, is_team_supervisor, visible_cases
from consult.cases.models import Case, Message
from consult.core.errors import AccessDenied, NotFound, ValidationFailed
from consult.falsealarms.records import kind_of, publish_redacted, record_for, store_redacted

PLACEHOLDER = "[redacted]"


@dataclass(frozen=True)
class FalseAlarm:
    event: object  # the deid.false_alarm_confirmed audit event
    case: Case
    where: str  # the record, as team members know it
    field: str
    kind: str
    found: bool  # the confirmed span is still in the record's text, where it was confirmed
    shown: str | None  # the span as it reads there now, when the app shows that text to the team
    redacted: bool

    @property
    def can_redact(self):
        return not self.redacted and self.found


def supervised_cases(actor):
    teams = [m.team_id for m in actor.memberships.all() if is_team_supervisor(actor, m.team_id)]
    return visible_cases(actor).filter(team_id__in=teams).order_by("code")


def false_alarms_for(*, actor):
    """Every false alarm confirmed in the cases of the teams `actor` supervises, newest first.

    Reading them is a read of each case's records: audited like any case page (case.viewed).
    """
    if not actor.is_supervisor:
        raise AccessDenied("only supervisors review confirmed false alarms")
    cases = {case_stream(case.code): case for case in supervised_cases(actor)}
    events = stream_events(cases, (CONFIRMED, REDACTED))
    redacted = {e.payload.get("confirmation_id") for e in events if e.action == REDACTED}
    actors = User.objects.in_bulk({e.actor_id for e in events})
    alarms = []
    for event in (e for e in events if e.action == CONFIRMED):
        event.actor = actors.get(event.actor_id)
        alarms.append(_false_alarm(event, cases[event.stream], events, event.pk in redacted))
    with transaction.atomic():
        for case in {alarm.case.pk: alarm.case for alarm in alarms}.values():
            audit_append(
                action=Action.CASE_VIEWED, actor=actor, case=case, payload={"page": "false_alarms"}
            )
    return sorted(alarms, key=lambda alarm: (alarm.event.created_at, alarm.event.seq), reverse=True)


def _false_alarm(event, case, events, redacted):
    kind, record_id = kind_of(event.payload)
    field = event.payload.get("field")
    record = record_for(kind, record_id) if kind else None
    where = kind.label(record) if record is not None else "a text that is not stored"
    span = None
    if record is not None and kind.column(field) and not redacted:
        span = _current_span(event, kind, record, field, events)
    shown = (
        getattr(record, kind.column(field))[span[0] : span[1]]
        if span and kind.shown_to_team
        else None
    )
    return FalseAlarm(
        event, case, where, field, event.payload.get("kind", ""), span is not None, shown, redacted
    )


def _current_span(confirmation, kind, record, field, events):
    """(start, end) of the confirmed span in the record's text now, or None if that text is no
    longer the one confirmed (edited since, or confirmed before hashes were recorded)."""
    start, end = confirmation.payload["start"], confirmation.payload["end"]
    expected = confirmation.payload.get("text_sha256")
    if expected is None:
        return None
    key = kind.key
    for event in events:
        payload = event.payload
        if (
            event.action != REDACTED
            or payload.get(key) != record.pk
            or payload.get("field") != field
            or payload.get("from_sha256") != expected
            or event.seq < confirmation.seq
        ):
            continue
        if payload["end"] <= start:
            shift = len(PLACEHOLDER) - (payload["end"] - payload["start"])
            start, end = start + shift, end + shift
        expected = payload["to_sha256"]
    if content_hash(getattr(record, kind.column(field))) != expected:
        return None
    return start, end


def false_alarm_redact(*, actor, confirmation_id):
    """Replace a confirmed span of a stored text with PLACEHOLDER; open rooms redraw it.

    1. The confirmation is found on a case the actor can see (else NotFound, as for a missing one),
       and the actor supervises the case's team (else AccessDenied).
    2. Under the case's row lock (the order posting takes), the record's row is locked and the
       span found in today's text (refused when the text is not stored, already redacted, or
       changed since it was confirmed).
    3. The text is stored with the placeholder, `deid.redacted` appended, the rooms told on commit.
    """
    event = case_event(confirmation_id)
    if event is None:
        raise NotFound("no such confirmation")
    with transaction.atomic():
        case = case_for(actor, event.case.code, need=Need.SUPERVISOR, lock=True)
        if event.action != CONFIRMED:
            raise ValidationFailed(
                "only a span confirmed as a false alarm can be redacted", field="confirmation"
            )
        kind, record_id = kind_of(event.payload)
        field = event.payload.get("field")
        record = record_for(kind, record_id, lock=True) if kind and kind.column(field) else None
        if record is None:
            raise ValidationFailed(
                "this text is not stored anywhere: there is nothing to redact", field="confirmation"
            )
        redactions = stream_events([event.stream], (REDACTED,))
        if any(e.payload.get("confirmation_id") == event.pk for e in redactions):
            raise ValidationFailed("this span is already redacted", field="confirmation")
        span = _current_span(event, kind, record, field, redactions)
        if span is None:
            raise ValidationFailed(
                "the text changed since the span was confirmed: redact it by editing",
                field="confirmation",
            )
        _redact(actor, case, event, kind, record, field, span)
    return record


def _redact(actor, case, confirmation, kind, record, field, span):
    before = getattr(record, kind.column(field))
    after = before[: span[0]] + PLACEHOLDER + before[span[1] :]
    store_redacted(kind, record, field, after)
    if kind.model is Message:
        _forget_confirmation(record, confirmation.payload, span)
    audit_append(
        action=REDACTED,
        actor=actor,
        case=case,
        payload={
            kind.key: record.pk,
            "field": field,
            "confirmation_id": confirmation.pk,
            "kind": confirmation.payload["kind"],
            "start": span[0],
            "end": span[1],
            "from_sha256": content_hash(before),
            "to_sha256": content_hash(after),
        },
    )
    publish_redacted(kind, record, field, case)


def _forget_confirmation(message, payload, span):
    """The message keeps its confirmations by today's offsets: the redacted one goes,
    later ones move."""
    shift = len(PLACEHOLDER) - (span[1] - span[0])
    kept = []
    for item in message.deid_confirmations:
        if (item["start"], item["end"], item["kind"]) == (span[0], span[1], payload["kind"]):
            continue
        moved = item["start"] >= span[1]
        kept.append(
            {**item, "start": item["start"] + shift * moved, "end": item["end"] + shift * moved}
        )
    message.deid_confirmations = kept
    message.save(update_fields=["deid_confirmations"])
