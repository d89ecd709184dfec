"""Changes to cases and their rooms: one function per action, one transaction each.

Every function: authorise (row lock where order matters) → de-identification guard →
model write → audit event → publish after commit.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from consult.accounts.models import Team
from consult.audit.chain import content_hash
from consult.audit.false_alarms import false_alarms_audit
from consult.audit.kinds import Action
from consult.audit.services import audit_append
from consult.cases import activity, store
from consult.cases.access import Need, case_for, is_team_member
from consult.cases.models import Case, Message, ReadPosition, RiskLevel, Status
from consult.cases.rendering import render_markdown
from consult.core.errors import AccessDenied, IdentifierFound, TooLarge, ValidationFailed
from consult.deid.guard import guard_fields, guard_rendered, guard_text
from consult.events import frames
from consult.realtime.broadcast import case_group, publish_on_commit


@dataclass(frozen=True)
class PostResult:  # what message_post did: stored `message`, or found it stored (a retry)
    message: Message
    duplicate: bool


def case_create(
    *, actor, team_id, title, summary="", risk_level=RiskLevel.NONE, confirmations=None
):
    if not is_team_member(actor, team_id):
        raise AccessDenied("you are not a member of that team", field="team")
    title, summary = title.strip(), summary.strip()
    if not title:
        raise ValidationFailed("a case needs a title", field="title")
    texts = {"title": title, "summary": summary}
    accepted = guard_fields(texts, confirmations)
    with transaction.atomic():
        case = Case.objects.create(
            team=Team.objects.get(pk=team_id),
            owner=actor,
            title=title,
            summary=summary,
            risk_level=risk_level,
        )
        audit_append(
            action=Action.CASE_CREATED,
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
        false_alarms_audit(
            actor=actor, case=case, record={"case_id": case.pk}, accepted=accepted, texts=texts
        )
    return case


def message_post(
    *, actor, case_code, client_id, body, corrects_seq=None, confirmations=(), session_id=None
):
    """Store a message once per client_id and broadcast it after commit.

    1. The body's size, then the de-identification guard and the markdown renderer: pure and
       the slowest steps, they run before the room's row lock is taken, so a room's posts queue
       only behind each other's database work.
    2. store.message_store authorises the poster under the case's row lock (with the role and
       the session `session_id` a socket posts under: consult/accounts/grants.py), stores the
       message and appends `message.posted`; a plain post is one statement on PostgreSQL.
    3. In the same transaction: one event per confirmed false alarm, then `message.new` to the
       room and the team's news, published on commit.
    A retry with a client_id already stored returns the stored message (duplicate=True)
    without a second row, event or broadcast: the sender may not have seen the first ack.
    """
    if len(body.encode()) > settings.MESSAGE_MAX_BYTES:
        raise TooLarge(f"body is over {settings.MESSAGE_MAX_BYTES} bytes", field="body")
    if not body.strip():
        raise ValidationFailed("body is empty", field="body")
    mentions = activity.mentions_in(actor=actor, case_code=case_code, body=body)
    accepted, flagged = _guarded(body, confirmations, mentions.spans)
    body_html = render_markdown(body) if flagged is None else None
    # Markup can join for the reader what the scan saw apart (`J**oh**n`): its visible text is
    # scanned too, about one more scan's CPU (~0.3-0.5 ms for a 100-character markdown line on
    # the dev machine). Plain lines render as themselves and skip it.
    if body_html is not None and body_html != f"<p>{body}</p>":
        flagged = _rendered_flagged(body_html, body, [*accepted, *mentions.spans])
    with store.message_store(
        author=actor,
        case_code=case_code,
        client_id=client_id,
        body=body,
        body_html=body_html,
        audit_payload={"body_sha256": content_hash(body), "corrects_seq": corrects_seq},
        corrects_seq=corrects_seq,
        confirmations=accepted,
        refusal=flagged,
        session_id=session_id,
    ) as stored:
        if stored.duplicate:
            return PostResult(stored.message, duplicate=True)
        message = stored.message
        false_alarms_audit(
            actor=actor,
            case=message.case,
            record={"message_id": message.pk},
            accepted={"body": accepted},
            texts={"body": body},
        )
        publish_on_commit(case_group(message.case_id), frames.message_new(message), seq=message.seq)
        _publish_team_news(message, case_code, message.case.team_id, mentions)
    return PostResult(message, duplicate=False)


def _publish_team_news(message, case_code, team_id, mentions):
    # One frame to the team's group, whoever is in it (case list counts),
    # and one per person mentioned.
    activity.publish_activity(message, code=case_code, team_id=team_id)
    activity.publish_mentions(message, mentions, code=case_code)


def _guarded(body, confirmations, allowed):
    try:
        return guard_text(body, field="body", confirmations=confirmations, allowed=allowed), None
    except IdentifierFound as flagged:
        return (), flagged


def _rendered_flagged(body_html, body, accepted):
    try:
        guard_rendered(body_html, source=body, field="body", confirmations=accepted)
    except IdentifierFound as flagged:
        return flagged
    return None


def read_position_mark(*, actor, case_code, seq, session_id=None):
    """Record that every message up to `seq` was shown to the actor; positions only move forward."""
    case = case_for(actor, case_code, session_id=session_id)
    seq = min(seq, case.last_seq)
    with transaction.atomic():
        position, _ = ReadPosition.objects.get_or_create(case=case, user=actor)
        advanced = ReadPosition.objects.filter(pk=position.pk, seq__lt=seq).update(seq=seq)
        if advanced:
            publish_on_commit(case_group(case.pk), frames.read_updated(user_id=actor.pk, seq=seq))
            activity.publish_read(
                case, actor, seq
            )  # the reader's other tabs: the case list's count falls
    return seq


def case_update(*, actor, case_code, title=None, summary=None, reason, confirmations=None):
    """Change a case's title and/or summary; the trail keeps hashes of before, after and why."""
    with transaction.atomic():
        # Who may, before what the text says.
        case = case_for(actor, case_code, need=Need.EDITOR, lock=True)
        changes = {
            name: value.strip()
            for name, value in (("title", title), ("summary", summary))
            if value is not None
        }
        if changes.get("title") == "":
            raise ValidationFailed("a case needs a title", field="title")
        if len(changes.get("title", "")) > Case._meta.get_field("title").max_length:
            raise ValidationFailed("the title is too long", field="title")
        reason = _reason_given(reason)
        texts = {**changes, "reason": reason}
        accepted = guard_fields(texts, confirmations)
        changed = {name: value for name, value in changes.items() if getattr(case, name) != value}
        if not changed:
            raise ValidationFailed("nothing to change", field="title")
        hashes = {
            name: {"from": content_hash(getattr(case, name)), "to": content_hash(value)}
            for name, value in changed.items()
        }
        for name, value in changed.items():
            setattr(case, name, value)
        case.save(update_fields=[*changed, "updated_at"])
        audit_append(
            action=Action.CASE_EDITED,
            actor=actor,
            case=case,
            payload={"changes": hashes, "reason_sha256": content_hash(reason)},
        )
        false_alarms_audit(
            actor=actor, case=case, record={"case_id": case.pk}, accepted=accepted, texts=texts
        )
    return case


def case_set_status(
    *, actor, case_code, status, reason, confirmations=None, audit_confirmations=True
):
    with transaction.atomic():
        # Who may, before what the text says.
        case = case_for(actor, case_code, need=Need.EDITOR, lock=True)
        if status not in Status.values:
            raise ValidationFailed(
                f"status must be one of {', '.join(Status.values)}", field="status"
            )
        reason = _reason_given(reason)
        accepted = guard_fields({"reason": reason}, confirmations)
        if case.status == status:
            raise ValidationFailed(f"the case is already {status}", field="status")
        previous, case.status = case.status, status
        case.save(update_fields=["status", "updated_at"])
        audit_append(
            action=Action.CASE_STATUS_CHANGED,
            actor=actor,
            case=case,
            payload={"from": previous, "to": status, "reason_sha256": content_hash(reason)},
        )
        if audit_confirmations:  # case_edit's text change already recorded them
            false_alarms_audit(
                actor=actor,
                case=case,
                record={"case_id": case.pk},
                accepted=accepted,
                texts={"reason": reason},
            )
    return case


def case_edit(*, actor, case_code, title, summary, status, reason, confirmations=None):
    """The edit form: text and status change together or not at all."""
    with transaction.atomic():
        case = case_for(actor, case_code, need=Need.EDITOR, lock=True)
        text_changed = (title.strip(), summary.strip()) != (case.title, case.summary)
        if not text_changed and status == case.status:
            raise ValidationFailed("nothing to change", field="title")
        if text_changed:
            case = case_update(
                actor=actor,
                case_code=case_code,
                title=title,
                summary=summary,
                reason=reason,
                confirmations=confirmations,
            )
        if status != case.status:
            case = case_set_status(
                actor=actor,
                case_code=case_code,
                status=status,
                reason=reason,
                confirmations=confirmations,
                audit_confirmations=not text_changed,
            )
    return case


def _reason_given(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("say why the case is changed", field="reason")
    return reason


def case_view(*, actor, case_code, page="room", case=None):
    """Open one of a case's pages for a member: reads are audited too."""
    case = case or case_for(actor, case_code)
    with transaction.atomic():
        audit_append(action=Action.CASE_VIEWED, actor=actor, case=case, payload={"page": page})
    return case
