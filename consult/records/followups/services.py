"""Follow-up check-ins: schedule, complete, and the reminder the scheduler sends when one is due.

Every function: authorise → de-identification guard → model write → audit event → publish
after commit.
"""

from django.db import transaction
from django.utils import timezone

from consult.audit.chain import content_hash
from consult.audit.false_alarms import false_alarms_audit
from consult.audit.kinds import Action
from consult.audit.services import audit_append
from consult.cases.access import case_for, is_team_member
from consult.core.errors import AccessDenied, NotFound, TooLarge, ValidationFailed
from consult.deid.guard import guard_text
from consult.events import frames
from consult.realtime.broadcast import case_group, publish_on_commit
from consult.records.followups.models import FollowUp, Source

NOTE_MAX_CHARS = 2000


def followup_schedule(
    *, actor, case_code, due_at, source=Source.MANUAL, source_id=None, owner=None
):
    """Schedule a check-in on a case; it belongs to the case's owner unless `owner` is given."""
    if source not in Source.values:
        raise ValidationFailed("unknown follow-up source", field="source")
    if due_at is None or timezone.is_naive(due_at):
        raise ValidationFailed("due_at must be a date and time with a time zone", field="due_at")
    with transaction.atomic():
        case = case_for(actor, case_code)
        owner = owner or case.owner
        followup = FollowUp.objects.create(
            case=case,
            owner=owner,
            due_at=due_at,
            created_by=actor,
            source=source,
            source_id=source_id,
        )
        audit_append(
            action=Action.FOLLOWUP_SCHEDULED,
            actor=actor,
            case=case,
            payload={
                "followup_id": followup.pk,
                "owner_id": owner.pk,
                "due_at": due_at.isoformat(),
                "source": source,
                "source_id": source_id,
            },
        )
        publish_on_commit(case_group(case.pk), frames.followup_scheduled(followup))
    return followup


def followup_complete(*, actor, followup_id, note, confirmations=()):
    """Record that a check-in happened, by its owner or a supervisor of the team, with a short note
    that passes the guard. Who may act is decided first:
    an outsider learns nothing from the note."""
    with transaction.atomic():
        followup = _open_followup_for(actor, followup_id)
        note = (note or "").strip()
        if len(note) > NOTE_MAX_CHARS:
            raise TooLarge(f"the note is limited to {NOTE_MAX_CHARS} characters", field="note")
        accepted = guard_text(note, field="note", confirmations=confirmations)
        followup.completed_at = timezone.now()
        followup.completed_by = actor
        followup.note = note
        followup.save(update_fields=["completed_at", "completed_by", "note"])
        audit_append(
            action=Action.FOLLOWUP_COMPLETED,
            actor=actor,
            case=followup.case,
            payload={"followup_id": followup.pk, "note_sha256": content_hash(note)},
        )
        false_alarms_audit(
            actor=actor,
            case=followup.case,
            record={"followup_id": followup.pk},
            accepted={"note": accepted},
            texts={"note": note},
        )
        publish_on_commit(case_group(followup.case_id), frames.followup_completed(followup))
    return followup


def _open_followup_for(actor, followup_id):
    followup = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("case", "owner")
        .filter(pk=followup_id)
        .first()
    )
    # A missing follow-up and another team's answer alike: ids cannot be probed.
    if followup is None or not is_team_member(actor, followup.case.team_id):
        raise NotFound("no such follow-up")
    if actor.pk != followup.owner_id and not actor.is_supervisor:
        raise AccessDenied(
            "only the follow-up's owner or the team's supervisors complete it", field="followup"
        )
    if followup.completed_at is not None:
        raise ValidationFailed("this follow-up is already completed", field="followup")
    return followup
