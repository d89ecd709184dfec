"""Consult requests and the answers to pages: one function per action, one transaction each.

Every function: authorise (consult row locked) → de-identification guard → write → audit → publish
after commit. The first page of an urgent consult goes out from here on commit, so it reaches the
supervisor's screens at once; the scheduler only repeats and escalates.
"""

import functools

from django.db import transaction
from django.utils import timezone

from consult.accounts.models import Team
from consult.audit.chain import content_hash
from consult.audit.false_alarms import false_alarms_audit
from consult.audit.kinds import Action, user_stream
from consult.cases.access import case_for, is_team_member
from consult.core.errors import AccessDenied, NotFound, TooLarge, ValidationFailed
from consult.deid.guard import guard_fields, guard_text
from consult.oncall.models import ACTIVE_STATES, WARNING_SIGNS, ConsultRequest, Kind, Page, State
from consult.oncall.paging import (
    audit_consult,
    close_pages,
    escalation_step,
    publish_consult,
    support_notify,
)
from consult.ops import metrics

TEXT_MAX_CHARS = 4000


def _sized_text(text, *, field, required):
    text = (text or "").strip()
    if required and not text:
        raise ValidationFailed(f"{field} is required", field=field)
    if len(text) > TEXT_MAX_CHARS:
        raise TooLarge(f"{field} is limited to {TEXT_MAX_CHARS} characters", field=field)
    return text


def _checked_text(text, *, field, required, confirmations=()):
    """(the stripped text, the confirmations that matched a flagged span)."""
    text = _sized_text(text, field=field, required=required)
    return text, guard_text(text, field=field, confirmations=confirmations)


def _audit_false_alarms(consult, actor, record, accepted, texts):
    stream = None if consult.case_id else user_stream(consult.requester_id)
    false_alarms_audit(
        actor=actor, case=consult.case, stream=stream, record=record, accepted=accepted, texts=texts
    )


def consult_request(
    *,
    actor,
    kind,
    question,
    case_code=None,
    team_id=None,
    signs=None,
    signs_note="",
    confirmations=None,
):
    """Raise a consult. Urgent and routine ones are about a case; support ones are about the asker.

    `confirmations` is {field: [Confirmation]}: flagged spans of the question or the note that the
    writer confirmed are not identifiers.
    """
    if kind not in Kind.values:
        raise ValidationFailed("kind must be routine, urgent or support", field="kind")
    signs = {name: bool((signs or {}).get(name)) for name in WARNING_SIGNS}
    unanswered = _unanswered_urgent(actor, kind, case_code)
    if unanswered is not None:
        # Nobody answered the case's urgent consult: this request's text is new facts for it, paged
        # again in the same step, rather than a second consult the on-call would have to piece
        # together.
        return consult_repage(
            actor=actor,
            consult_id=unanswered,
            facts=question,
            signs=signs,
            signs_note=signs_note,
            confirmations=confirmations,
            facts_field="question",
        )
    with transaction.atomic():
        case, team = _subject(
            actor, kind, case_code, team_id
        )  # an outsider: NotFound before the guard
        texts = {
            "question": _sized_text(question, field="question", required=True),
            "signs_note": _sized_text(signs_note, field="signs_note", required=False),
        }
        accepted = guard_fields(texts, confirmations)
        question, signs_note = texts["question"], texts["signs_note"]
        consult = ConsultRequest.objects.create(
            kind=kind,
            team=team,
            case=case,
            requester=actor,
            question=question,
            signs_note=signs_note,
            state=State.PAGING if kind == Kind.URGENT else State.OPEN,
            **signs,
        )
        audit_consult(
            consult,
            Action.CONSULT_REQUESTED,
            actor,
            kind=kind,
            team_id=team.pk,
            signs=signs,
            question_sha256=content_hash(question),
            signs_note_sha256=content_hash(signs_note),
        )
        _audit_false_alarms(consult, actor, {"consult_id": consult.pk}, accepted, texts)
        if kind == Kind.URGENT:
            escalation_step(consult, reason="requested")  # publishes the consult
        elif kind == Kind.SUPPORT:
            support_notify(consult)  # publishes the consult
        else:
            publish_consult(consult)
    return consult


def _unanswered_urgent(actor, kind, case_code):
    if kind != Kind.URGENT or not case_code:
        return None
    return (
        ConsultRequest.objects.filter(
            case__code=case_code,
            case__team__memberships__user=actor,
            kind=Kind.URGENT,
            state=State.UNANSWERED,
        )
        .values_list("pk", flat=True)
        .first()
    )


def _subject(actor, kind, case_code, team_id):
    if kind == Kind.SUPPORT:
        if case_code:
            raise ValidationFailed("a support request is about you, not a case", field="case")
        team = (
            Team.objects.filter(pk=team_id, memberships__user=actor).first()
            if team_id
            else actor.teams.order_by("name").first()
        )
        if team is None:
            raise ValidationFailed("choose one of your teams", field="team")
        return None, team
    if not case_code:
        raise ValidationFailed("routine and urgent consults are about a case", field="case")
    case = case_for(actor, case_code, lock=True)
    if (
        kind == Kind.URGENT
        and ConsultRequest.objects.filter(case=case, kind=Kind.URGENT, state=State.PAGING).exists()
    ):
        raise ValidationFailed(
            "an urgent consult on this case is paging the on-call right now: add what is new "
            "in the room, where the supervisor will read it on joining",
            field="kind",
        )
    return case, case.team


def consult_for(actor, consult_id, *, lock=False):
    """A consult its team can see; to anyone else it does not exist
    (support: requester and supervisors)."""
    consults = ConsultRequest.objects.select_related("case", "team", "requester", "acknowledged_by")
    if lock:
        consults = consults.select_for_update(of=("self",))
    consult = consults.filter(pk=consult_id).first()
    if consult is None or not is_team_member(actor, consult.team_id):
        raise NotFound("no such consult")
    if consult.case_id is None and actor.pk != consult.requester_id and not actor.is_supervisor:
        raise NotFound("no such consult")
    return consult


def _require_supervisor(actor):
    if not actor.is_supervisor:
        raise AccessDenied("only supervisors answer consults", field="consult")


def page_acknowledge(*, actor, consult_id):
    """ "I've got this": the pages stop, the supervisor joins the room,
    the requester is told who."""
    with transaction.atomic():
        consult = consult_for(
            actor, consult_id, lock=True
        )  # outsiders: NotFound before anything else
        _require_supervisor(actor)
        if consult.state not in (State.OPEN, State.PAGING, State.UNANSWERED):
            raise ValidationFailed(
                f"this consult is already {consult.get_state_display().lower()}", field="consult"
            )
        now = timezone.now()
        page = (
            Page.objects.filter(consult=consult, round=consult.round, recipient=actor)
            .order_by("-tier")
            .first()
        )
        if page is not None:
            Page.objects.filter(pk=page.pk).update(acknowledged_at=now)
        close_pages(consult, now)
        consult.state, consult.acknowledged_at, consult.acknowledged_by = (
            State.ACKNOWLEDGED,
            now,
            actor,
        )
        consult.escalate_at = None
        consult.save(
            update_fields=[
                "state",
                "acknowledged_at",
                "acknowledged_by",
                "escalate_at",
                "updated_at",
            ]
        )
        transaction.on_commit(
            functools.partial(
                metrics.page_acknowledge_seconds.observe, (now - consult.created_at).total_seconds()
            )
        )
        audit_consult(
            consult,
            Action.PAGE_ACKNOWLEDGED,
            actor,
            page_id=page.pk if page else None,
            tier=consult.tier,
            seconds=round((now - consult.created_at).total_seconds(), 3),
        )
        if consult.case_id:
            audit_consult(
                consult,
                Action.ROOM_PARTICIPANT_ADDED,
                actor,
                user_id=actor.pk,
                via="acknowledgement",
            )
        publish_consult(consult)
    return consult


def page_decline(*, actor, page_id, reason, confirmations=()):
    """Decline with a reason: when nobody in the tier is left, the next tier is paged at once."""
    with transaction.atomic():
        page = Page.objects.filter(pk=page_id, recipient=actor).first()
        if page is None:
            raise NotFound("no such page")
        consult = consult_for(actor, page.consult_id, lock=True)
        reason, accepted = _checked_text(
            reason, field="reason", required=True, confirmations=confirmations
        )
        page.refresh_from_db()
        if page.declined_at or page.acknowledged_at or consult.state != State.PAGING:
            raise ValidationFailed("this page is no longer waiting for an answer", field="page")
        now = timezone.now()
        Page.objects.filter(pk=page.pk).update(
            declined_at=now, decline_reason=reason, closed_at=now, next_repeat_at=None
        )
        audit_consult(
            consult,
            Action.PAGE_DECLINED,
            actor,
            page_id=page.pk,
            tier=page.tier,
            reason_sha256=content_hash(reason),
        )
        _audit_false_alarms(
            consult, actor, {"page_id": page.pk}, {"reason": accepted}, {"reason": reason}
        )
        escalation_step(consult, now=now, reason="declined")
    return consult


def consult_resolve(*, actor, consult_id, outcome, confirmations=()):
    with transaction.atomic():
        consult = consult_for(actor, consult_id, lock=True)
        if not (actor.is_supervisor or actor.pk == consult.requester_id):
            raise AccessDenied(
                "only supervisors or the requester resolve a consult", field="consult"
            )
        outcome, accepted = _checked_text(
            outcome, field="outcome", required=True, confirmations=confirmations
        )
        if consult.state not in ACTIVE_STATES:
            raise ValidationFailed("this consult is already resolved", field="consult")
        now = timezone.now()
        close_pages(consult, now)
        consult.state, consult.resolved_at, consult.resolved_by, consult.outcome = (
            State.RESOLVED,
            now,
            actor,
            outcome,
        )
        consult.escalate_at = None
        consult.save(
            update_fields=[
                "state",
                "resolved_at",
                "resolved_by",
                "outcome",
                "escalate_at",
                "updated_at",
            ]
        )
        audit_consult(consult, Action.CONSULT_RESOLVED, actor, outcome_sha256=content_hash(outcome))
        _audit_false_alarms(
            consult, actor, {"consult_id": consult.pk}, {"outcome": accepted}, {"outcome": outcome}
        )
        publish_consult(consult)
    return consult


def consult_repage(
    *,
    actor,
    consult_id,
    facts="",
    signs=None,
    signs_note="",
    confirmations=None,
    facts_field="facts",
):
    """After nobody answered: add what is new (text, warning signs) and start again at the primary
    on-call, in one step. The requester or a supervisor of the team.

    The new facts join the question (and a new note the signs note) under a line naming the round,
    so the supervisors paged now read them with what was asked first. `confirmations` is
    {field: [Confirmation]} for `facts` and `signs_note`; `facts_field` names the facts in errors
    and confirmations ("question" when they came from the consult form).
    """
    with transaction.atomic():
        consult = consult_for(actor, consult_id, lock=True)
        if actor.pk != consult.requester_id and not actor.is_supervisor:
            raise AccessDenied(
                "only the requester or the team's supervisors page again", field="consult"
            )
        if consult.kind != Kind.URGENT or consult.state != State.UNANSWERED:
            raise ValidationFailed(
                "only an urgent consult nobody has answered can be paged again", field="consult"
            )
        texts = {
            facts_field: _sized_text(facts, field=facts_field, required=False),
            "signs_note": _sized_text(signs_note, field="signs_note", required=False),
        }
        accepted = guard_fields(texts, confirmations)
        added_signs = sorted(
            name for name in WARNING_SIGNS if (signs or {}).get(name) and not getattr(consult, name)
        )
        close_pages(consult, timezone.now())
        consult.state, consult.tier, consult.round = State.PAGING, 0, consult.round + 1
        for name in added_signs:
            setattr(consult, name, True)
        for field, text in (("question", texts[facts_field]), ("signs_note", texts["signs_note"])):
            if text:
                before = getattr(consult, field)
                setattr(
                    consult,
                    field,
                    f"{before}\n\nAdded when paging again (round {consult.round}): {text}"
                    if before
                    else text,
                )
        consult.save(
            update_fields=[
                "state",
                "tier",
                "round",
                "question",
                "signs_note",
                "updated_at",
                *added_signs,
            ]
        )
        audit_consult(
            consult,
            Action.CONSULT_REPAGED,
            actor,
            round=consult.round,
            added_signs=added_signs,
            facts_sha256=content_hash(texts[facts_field]),
            signs_note_sha256=content_hash(texts["signs_note"]),
        )
        _audit_false_alarms(consult, actor, {"consult_id": consult.pk}, accepted, texts)
        escalation_step(consult, reason="repaged")
    return consult


def page_mark_seen(*, actor, page_id):
    """The page was on the recipient's screen. Seen is not acknowledged: the deadline still runs."""
    with transaction.atomic():
        page = (
            Page.objects.select_related("consult__case").filter(pk=page_id, recipient=actor).first()
        )
        if page is None:
            raise NotFound("no such page")
        if Page.objects.filter(pk=page.pk, seen_at__isnull=True).update(seen_at=timezone.now()):
            audit_consult(page.consult, Action.PAGE_SEEN, actor, page_id=page.pk, tier=page.tier)
    return page
