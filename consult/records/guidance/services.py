"""The guidance log: supervisors write it, the case owner acknowledges it, nobody edits it.

Every function: authorise (case row lock) → guard → write → one audit event → publish on commit.
A follow-up due date also schedules a follow-up check-in (consult/followups), which audits itself.
"""

from datetime import datetime, time

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from consult.audit.chain import content_hash
from consult.audit.false_alarms import false_alarms_audit
from consult.audit.kinds import Action
from consult.audit.services import audit_append
from consult.cases.access import Need, case_for
from consult.core.errors import NotFound, TooLarge, ValidationFailed
from consult.deid.guard import guard_fields
from consult.events import frames
from consult.oncall.models import ConsultRequest
from consult.realtime.broadcast import case_group, publish_on_commit
from consult.records.followups.models import Source
from consult.records.followups.services import followup_schedule
from consult.records.guidance.models import Acknowledgement, GuidanceEntry

TEXT_MAX_CHARS = 4000
FOLLOW_UP_HOUR = time(9, 0)  # a check-in due "on" a date is due that morning, in the server's zone


def guidance_log(
    *,
    actor,
    case_code,
    assessment,
    recommendation,
    actions="",
    follow_up_due=None,
    session_minutes=30,
    consult_id=None,
    confirmations=None,
):
    """Add a new entry to the case's guidance log."""
    with transaction.atomic():
        case = case_for(actor, case_code, need=Need.SUPERVISOR, lock=True)  # who, before what
        texts = _clean(assessment, recommendation, actions, session_minutes, follow_up_due)
        accepted = guard_fields(texts, confirmations)
        number = (GuidanceEntry.objects.filter(case=case).aggregate(n=Max("number"))["n"] or 0) + 1
        entry = GuidanceEntry.objects.create(
            case=case,
            number=number,
            author=actor,
            follow_up_due=follow_up_due,
            session_minutes=session_minutes,
            consult=_consult_of(case, consult_id),
            **texts,
        )
        _schedule_followup(actor, entry)
        audit_append(action=Action.GUIDANCE_LOGGED, actor=actor, case=case, payload=_payload(entry))
        false_alarms_audit(
            actor=actor, case=case, record={"entry_id": entry.pk}, accepted=accepted, texts=texts
        )
        publish_on_commit(case_group(case.pk), frames.guidance_logged(entry))
    return entry


def guidance_amend(
    *,
    actor,
    case_code,
    entry_id,
    assessment,
    recommendation,
    actions="",
    follow_up_due=None,
    session_minutes=None,
    confirmations=None,
):
    """Replace the current version of an entry with a new one; the old version stays readable."""
    with transaction.atomic():
        case = case_for(actor, case_code, need=Need.SUPERVISOR, lock=True)
        previous = _entry(case, entry_id)
        if not previous.is_current:
            raise ValidationFailed(
                "this version was already amended: amend the latest one", field="entry"
            )
        session_minutes = previous.session_minutes if session_minutes is None else session_minutes
        texts = _clean(assessment, recommendation, actions, session_minutes, follow_up_due)
        accepted = guard_fields(texts, confirmations)
        entry = GuidanceEntry.objects.create(
            case=case,
            number=previous.number,
            version=previous.version + 1,
            replaces=previous,
            author=actor,
            follow_up_due=follow_up_due,
            session_minutes=session_minutes,
            consult=previous.consult,
            **texts,
        )
        if follow_up_due and follow_up_due != previous.follow_up_due:
            _schedule_followup(actor, entry)
        else:
            entry.followup = previous.followup
            entry.save(update_fields=["followup"])
        audit_append(
            action=Action.GUIDANCE_AMENDED,
            actor=actor,
            case=case,
            payload={**_payload(entry), "replaces_id": previous.pk},
        )
        false_alarms_audit(
            actor=actor, case=case, record={"entry_id": entry.pk}, accepted=accepted, texts=texts
        )
        publish_on_commit(case_group(case.pk), frames.guidance_amended(entry))
    return entry


def guidance_acknowledge(*, actor, case_code, entry_id):
    """The case owner confirms they read this version. Acknowledging twice changes nothing."""
    with transaction.atomic():
        case = case_for(actor, case_code, need=Need.OWNER, lock=True)
        entry = _entry(case, entry_id)
        existing = Acknowledgement.objects.filter(entry=entry).first()
        if existing is not None:
            return existing
        ack = Acknowledgement.objects.create(entry=entry, user=actor, at=timezone.now())
        audit_append(
            action=Action.GUIDANCE_ACKNOWLEDGED,
            actor=actor,
            case=case,
            payload={"entry_id": entry.pk, "number": entry.number, "version": entry.version},
        )
        publish_on_commit(case_group(case.pk), frames.guidance_acknowledged(ack, code=case.code))
    return ack


def _clean(assessment, recommendation, actions, session_minutes, follow_up_due):
    texts = {
        "assessment": assessment.strip(),
        "recommendation": recommendation.strip(),
        "actions": actions.strip(),
    }
    for field in ("assessment", "recommendation"):
        if not texts[field]:
            raise ValidationFailed(f"{field} is required", field=field)
    for field, text in texts.items():
        if len(text) > TEXT_MAX_CHARS:
            raise TooLarge(f"at most {TEXT_MAX_CHARS} characters", field=field)
    if not 1 <= session_minutes <= 480:
        raise ValidationFailed("a guidance session lasts 1 to 480 minutes", field="session_minutes")
    if follow_up_due is not None and follow_up_due < timezone.localdate():
        raise ValidationFailed("the follow-up cannot be due in the past", field="follow_up_due")
    return texts


def _entry(case, entry_id):
    entry = (
        GuidanceEntry.objects.select_related("case", "author", "consult", "followup")
        .filter(case=case, pk=entry_id)
        .first()
    )
    if entry is None:
        raise NotFound("no such guidance entry")
    return entry


def _consult_of(case, consult_id):
    if consult_id is None:
        return None
    consult = ConsultRequest.objects.filter(pk=consult_id, case=case).first()
    if consult is None:
        raise ValidationFailed("that consult is not about this case", field="consult")
    return consult


def _schedule_followup(actor, entry):
    if entry.follow_up_due is None:
        return
    due_at = timezone.make_aware(datetime.combine(entry.follow_up_due, FOLLOW_UP_HOUR))
    entry.followup = followup_schedule(
        actor=actor,
        case_code=entry.case.code,
        due_at=due_at,
        source=Source.GUIDANCE,
        source_id=entry.pk,
    )
    entry.save(update_fields=["followup"])


def _payload(entry):
    return {
        "entry_id": entry.pk,
        "number": entry.number,
        "version": entry.version,
        "consult_id": entry.consult_id,
        "followup_id": entry.followup_id,
        "follow_up_due": entry.follow_up_due.isoformat() if entry.follow_up_due else None,
        "session_minutes": entry.session_minutes,
        "assessment_sha256": content_hash(entry.assessment),
        "recommendation_sha256": content_hash(entry.recommendation),
        "actions_sha256": content_hash(entry.actions),
    }
