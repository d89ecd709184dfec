"""What holds a confirmed span: one row per kind of record,
named by the key its confirmations carry.

key              record                      stored fields a supervisor may redact
message_id       a room message              body (its HTML is rendered again)
case_id          the case                    title, summary (an edit's reason is never stored)
assessment_id    a risk picture version      protective_factors, reason
plan_version_id  a safety plan version       its sections
entry_id         a guidance entry version    assessment, recommendation, actions
consult_id       a consult request           question, signs_note, outcome
page_id          a page answered             reason (stored as decline_reason)
followup_id      a follow-up check-in        note
agenda_item_id   a review's minutes          minutes
"""

from collections.abc import Callable
from dataclasses import dataclass

from consult.cases.models import Case, Message
from consult.cases.rendering import render_markdown
from consult.events import frames
from consult.oncall.models import ConsultRequest, Page
from consult.oncall.paging import publish_consult
from consult.realtime.broadcast import case_group, publish_on_commit
from consult.records.followups.models import FollowUp
from consult.records.guidance.models import GuidanceEntry
from consult.records.reviews.models import AgendaItem
from consult.records.risk.models import RiskAssessment
from consult.records.safety.models import SECTION_NAMES, SafetyPlanVersion


@dataclass(frozen=True)
class RecordKind:
    key: str
    model: type
    columns: dict  # field name in the confirmation → the model's column
    label: Callable  # record → where it is, as team members know it ("message #12")
    case_id: Callable  # record → its case's id
    # Whether the app shows this text to the team: the list shows a span only where it does.
    shown_to_team: bool = True

    def column(self, field):
        return self.columns.get(field)


def _same(*names):
    return {name: name for name in names}


RECORDS = {
    kind.key: kind
    for kind in (
        RecordKind(
            "message_id", Message, _same("body"), lambda m: f"message #{m.seq}", lambda m: m.case_id
        ),
        RecordKind(
            "case_id", Case, _same("title", "summary"), lambda c: "the case", lambda c: c.pk
        ),
        RecordKind(
            "assessment_id",
            RiskAssessment,
            _same("protective_factors", "reason"),
            lambda a: f"risk picture v{a.version}",
            lambda a: a.case_id,
        ),
        RecordKind(
            "plan_version_id",
            SafetyPlanVersion,
            _same(*SECTION_NAMES),
            lambda p: f"safety plan v{p.version}",
            lambda p: p.case_id,
        ),
        RecordKind(
            "entry_id",
            GuidanceEntry,
            _same("assessment", "recommendation", "actions"),
            lambda e: f"guidance #{e.number} v{e.version}",
            lambda e: e.case_id,
        ),
        RecordKind(
            "consult_id",
            ConsultRequest,
            _same("question", "signs_note", "outcome"),
            lambda c: f"consult #{c.pk}",
            lambda c: c.case_id,
        ),
        RecordKind(
            "page_id",
            Page,
            {"reason": "decline_reason"},
            lambda p: f"page #{p.pk} (declined)",
            lambda p: p.consult.case_id,
            shown_to_team=False,
        ),
        RecordKind(
            "followup_id",
            FollowUp,
            _same("note"),
            lambda f: f"follow-up #{f.pk}",
            lambda f: f.case_id,
        ),
        RecordKind(
            "agenda_item_id",
            AgendaItem,
            _same("minutes"),
            lambda i: f"review #{i.session_id} minutes",
            lambda i: i.case_id,
        ),
    )
}


def kind_of(payload):
    """The RecordKind a confirmation's payload names, and the record's id; (None, None) if none."""
    for key, kind in RECORDS.items():
        if key in payload:
            return kind, payload[key]
    return None, None


def record_for(kind, record_id, *, lock=False):
    rows = kind.model.objects.select_for_update(of=("self",)) if lock else kind.model.objects
    if kind.model is Page:
        rows = rows.select_related("consult")
    return rows.filter(pk=record_id).first()


def store_redacted(kind, record, field, text):
    """Write the redacted text, and whatever is derived from it, to the record."""
    column = kind.column(field)
    setattr(record, column, text)
    update = [column]
    if kind.model is Message:
        record.body_html = render_markdown(text)
        update.append("body_html")
    record.save(update_fields=update)


def publish_redacted(kind, record, field, case):
    """Tell open rooms: a message is redrawn in place, a consult card from its usual frame, and
    every other record by `record.redacted` (the room reloads its records panel)."""
    if kind.model is Message:
        publish_on_commit(case_group(case.pk), frames.message_redacted(record))
    elif kind.model is ConsultRequest:
        publish_consult(record)
    else:
        publish_on_commit(
            case_group(case.pk),
            frames.record_redacted(
                code=case.code, record=kind.key, record_id=record.pk, field=field
            ),
        )
