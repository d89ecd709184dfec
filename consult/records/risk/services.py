"""Changing a case's risk picture: each change is a new version, an audit event and a frame."""

from dataclasses import dataclass

from django.db import transaction

from consult.audit.chain import content_hash
from consult.audit.false_alarms import false_alarms_audit
from consult.audit.kinds import Action
from consult.audit.services import audit_append
from consult.cases.access import Need, case_for
from consult.cases.clinical import WarningSign
from consult.cases.models import RISK_ORDER, RiskLevel
from consult.core.errors import ValidationFailed
from consult.deid.guard import guard_fields
from consult.events import frames
from consult.realtime.broadcast import case_group, publish_on_commit
from consult.records.risk.models import RiskAssessment

# A rise to one of these prompts the therapist to request an urgent consult.
URGENT_LEVELS = {RiskLevel.HIGH, RiskLevel.IMMINENT}


@dataclass(frozen=True)
class RiskChange:
    assessment: RiskAssessment
    from_level: str
    prompts_urgent_consult: bool


def latest_assessment(case):
    return RiskAssessment.objects.filter(case=case).order_by("-version").first()


def risk_update(*, actor, case_code, level, signs, protective_factors, reason, confirmations=None):
    """Record a new risk picture for the case; who changed what, and why, goes on the trail."""
    with transaction.atomic():
        case = case_for(actor, case_code, need=Need.EDITOR, lock=True)  # who, before what
        protective_factors, reason = protective_factors.strip(), reason.strip()
        signs = _clean_signs(signs)
        if level not in RiskLevel.values:
            raise ValidationFailed("unknown risk level", field="level")
        if not reason:
            raise ValidationFailed("say why the risk picture changed", field="reason")
        texts = {"protective_factors": protective_factors, "reason": reason}
        accepted = guard_fields(texts, confirmations)
        previous = latest_assessment(case)
        before = (previous.signs, previous.protective_factors) if previous else ([], "")
        if (case.risk_level, *before) == (level, signs, protective_factors):
            raise ValidationFailed("nothing changed", field="level")
        assessment = RiskAssessment.objects.create(
            case=case,
            version=(previous.version if previous else 0) + 1,
            level=level,
            signs=signs,
            protective_factors=protective_factors,
            reason=reason,
            author=actor,
        )
        change = RiskChange(assessment, case.risk_level, _is_urgent_rise(case.risk_level, level))
        case.risk_level = level
        case.save(update_fields=["risk_level", "updated_at"])
        audit_append(
            action=Action.CASE_RISK_CHANGED,
            actor=actor,
            case=case,
            payload=_payload(change, before),
        )
        false_alarms_audit(
            actor=actor,
            case=case,
            record={"assessment_id": assessment.pk},
            accepted=accepted,
            texts=texts,
        )
        publish_on_commit(
            case_group(case.pk), frames.risk_changed(change, code=case.code, by=actor)
        )
    return change


def _clean_signs(signs):
    unknown = set(signs) - set(WarningSign.values)
    if unknown:
        raise ValidationFailed("unknown warning sign", field="signs")
    return sorted(set(signs))


def _is_urgent_rise(from_level, to_level):
    return to_level in URGENT_LEVELS and RISK_ORDER[to_level] > RISK_ORDER[from_level]


def _payload(change, before):
    assessment, (old_signs, old_factors) = change.assessment, before
    return {
        "assessment_id": assessment.pk,
        "version": assessment.version,
        "from_level": change.from_level,
        "to_level": assessment.level,
        "signs_added": sorted(set(assessment.signs) - set(old_signs)),
        "signs_removed": sorted(set(old_signs) - set(assessment.signs)),
        "protective_factors_changed": assessment.protective_factors != old_factors,
        "reason_sha256": content_hash(assessment.reason),
    }
