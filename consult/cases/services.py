"""Changes to cases and their rooms: one function per action, one transaction each.

Every function: authorise (row lock where order matters) → de-identification guard →
model write → audit event → publish after commit.
"""
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from consult.accounts.models import Team
from consult.audit.chain import content_hash
from consult.audit.services import audit_append
from consult.cases.access import case_for_member, is_team_member
from consult.cases.models import Case, Message, ReadPosition, RiskLevel
from consult.cases.rendering import render_markdown
from consult.cases.serializers import message_dict
from consult.core.errors import AccessDenied, NotFound, TooLarge, ValidationFailed
from consult.deid.guard import guard_text
from consult.realtime.broadcast import case_group, publish_on_commit


@dataclass(frozen=True)
class PostResult:
    message: Message
    duplicate: bool


def case_create(*, actor, team_id, title, summary="", risk_level=RiskLevel.NONE):
    if not is_team_member(actor, team_id):
        raise AccessDenied("you are not a member of that team", field="team")
    title, summary = title.strip(), summary.strip()
    if not title:
        raise ValidationFailed("a case needs a title", field="title")
    guard_text(title, field="title")
    guard_text(summary, field="summary")
    with transaction.atomic():
        case = Case.objects.create(
            team=Team.objects.get(pk=team_id), owner=actor, title=title, summary=summary, risk_level=risk_level
        )
        audit_append(
            action="case.created",
            actor=actor,
            case=case,
            payload={
                "team_id": team_id,
                "owner_id": actor.pk,
                "risk_level": risk_level,
                "title_sha256": content_hash(title),
                "summary_sha256": content_hash(summary),
            },
        )
    return case


def message_post(*, actor, case_code, client_id, body, corrects_seq=None, confirmations=()):
    """Store a message once per client_id and broadcast it after commit.

    A retry with a client_id already stored returns the stored message (duplicate=True)
    without a second row, event or broadcast: the sender may not have seen the first ack.
    """
    if len(body.encode()) > settings.MESSAGE_MAX_BYTES:
        raise TooLarge(f"body is over {settings.MESSAGE_MAX_BYTES} bytes", field="body")
    if not body.strip():
        raise ValidationFailed("body is empty", field="body")
    with transaction.atomic():
        case = _case_for_posting(actor, case_code)
        stored = _stored_message(case, actor, client_id)
        if stored is not None:
            return PostResult(stored, duplicate=True)
        corrected = _corrected_message(case, actor, corrects_seq)
        accepted = guard_text(body, field="body", confirmations=confirmations)
        case.last_seq += 1
        case.save(update_fields=["last_seq", "updated_at"])
        message = Message.objects.create(
            case=case,
            seq=case.last_seq,
            author=actor,
            client_id=client_id,
            body=body,
            body_html=render_markdown(body),
            corrects=corrected,
            deid_confirmations=[c.as_dict() for c in accepted],
        )
        _audit_message(actor, case, message, accepted)
        publish_on_commit(case_group(case.pk), {"type": "message.new", "message": message_dict(message)})
    return PostResult(message, duplicate=False)


def _case_for_posting(actor, case_code):
    try:
        return case_for_member(actor, case_code, lock=True)
    except NotFound:
        # The socket was open, so the room existed for this user: membership has ended.
        raise AccessDenied("you are no longer a member of this case's team") from None


def _stored_message(case, actor, client_id):
    return (
        Message.objects.select_related("author", "corrects")
        .filter(case=case, author=actor, client_id=client_id)
        .first()
    )


def _corrected_message(case, actor, corrects_seq):
    if corrects_seq is None:
        return None
    corrected = Message.objects.filter(case=case, seq=corrects_seq).first()
    if corrected is None:
        raise ValidationFailed(f"there is no message {corrects_seq} in this room", field="corrects")
    if corrected.author_id != actor.pk:
        raise ValidationFailed("you can only correct your own messages", field="corrects")
    return corrected


def _audit_message(actor, case, message, accepted):
    audit_append(
        action="message.posted",
        actor=actor,
        case=case,
        payload={
            "message_id": message.pk,
            "seq": message.seq,
            "body_sha256": content_hash(message.body),
            "corrects_seq": message.corrects.seq if message.corrects_id else None,
        },
    )
    for confirmation in accepted:
        audit_append(
            action="deid.false_alarm_confirmed",
            actor=actor,
            case=case,
            payload={"message_id": message.pk, "field": "body", **confirmation.as_dict()},
        )


def read_position_mark(*, actor, case_code, seq):
    """Record that every message up to `seq` was shown to the actor; positions only move forward."""
    case = case_for_member(actor, case_code)
    seq = min(seq, case.last_seq)
    with transaction.atomic():
        position, _ = ReadPosition.objects.get_or_create(case=case, user=actor)
        advanced = ReadPosition.objects.filter(pk=position.pk, seq__lt=seq).update(seq=seq)
        if advanced:
            publish_on_commit(case_group(case.pk), {"type": "read.updated", "user_id": actor.pk, "seq": seq})
    return seq
