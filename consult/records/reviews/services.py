"""Group case reviews: schedule, open, attend, walk the agenda, write minutes, close.

Every function: authorise (session row lock) → guard → write → one audit event → publish on commit.
Session events go on the team's stream; the minutes, once the review closes, on each case's.
"""

from django.db import transaction
from django.utils import timezone

from consult.accounts.models import Team
from consult.audit.chain import content_hash
from consult.audit.false_alarms import false_alarms_audit
from consult.audit.kinds import Action, team_stream
from consult.audit.services import audit_append
from consult.cases.access import is_team_supervisor, visible_cases
from consult.cases.models import Status as CaseStatus
from consult.cases.selectors import risk_rank
from consult.core.errors import AccessDenied, TooLarge, ValidationFailed
from consult.deid.guard import guard_text
from consult.events import frames
from consult.realtime.broadcast import case_group, publish_on_commit
from consult.records.reviews.models import AgendaItem, Attendance, ReviewSession, Status
from consult.records.reviews.selectors import (
    agenda_of,
    review_for_member,
    review_group,
    review_state,
    teams_to_schedule,
)

MINUTES_MAX_CHARS = 8000


def review_scheduling_teams(*, actor):
    """The teams `actor` may schedule a review for; refused when there are none."""
    teams = teams_to_schedule(actor)
    if not teams:
        raise AccessDenied("only supervisors and admins schedule reviews")
    return teams


def review_schedule(*, actor, team_id, scheduled_at, case_codes=(), planned_minutes=60):
    """Create a session facilitated by `actor`. The agenda is highest risk first unless cases are
    given."""
    if not is_team_supervisor(actor, team_id):
        raise AccessDenied("only the team's supervisors and admins run reviews", field="team")
    if not 5 <= planned_minutes <= 480:
        raise ValidationFailed("a review lasts 5 to 480 minutes", field="planned_minutes")
    cases = _agenda_cases(actor, team_id, case_codes)
    with transaction.atomic():
        session = ReviewSession.objects.create(
            team=Team.objects.get(pk=team_id),
            facilitator=actor,
            scheduled_at=scheduled_at,
            planned_minutes=planned_minutes,
        )
        AgendaItem.objects.bulk_create(
            AgendaItem(session=session, case=case, position=n)
            for n, case in enumerate(cases, start=1)
        )
        audit_append(
            action=Action.REVIEW_SCHEDULED,
            actor=actor,
            stream=team_stream(team_id),
            payload={
                "session_id": session.pk,
                "facilitator_id": actor.pk,
                "scheduled_at": scheduled_at.isoformat(),
                "planned_minutes": planned_minutes,
                "case_ids": [case.pk for case in cases],
            },
        )
    return session


def _agenda_cases(actor, team_id, case_codes):
    team_cases = visible_cases(actor).filter(team_id=team_id)  # the actor supervises the team
    if not case_codes:
        cases = list(
            team_cases.exclude(status=CaseStatus.CLOSED)
            .annotate(risk_order=risk_rank())
            .order_by("-risk_order", "code")
        )
    else:
        by_code = {case.code: case for case in team_cases.filter(code__in=case_codes)}
        if len(by_code) != len(set(case_codes)):
            raise ValidationFailed(
                "every case on the agenda must belong to the team", field="cases"
            )
        cases = [by_code[code] for code in dict.fromkeys(case_codes)]
    if not cases:
        raise ValidationFailed("the agenda needs at least one case", field="cases")
    return cases


def _facilitated(actor, session_id, *, status=Status.OPEN):
    """The locked session, if `actor` facilitates it and it is in `status`."""
    session = review_for_member(actor, session_id, lock=True)
    if session.facilitator_id != actor.pk:
        raise AccessDenied("only the facilitator runs the review", field="session")
    if session.status != status:
        raise ValidationFailed(
            f"the review is {session.get_status_display().lower()}", field="session"
        )
    return session


def _audit(action, actor, session, **payload):
    audit_append(
        action=action,
        actor=actor,
        stream=team_stream(session.team_id),
        payload={"session_id": session.pk, **payload},
    )


def _publish_state(session):
    publish_on_commit(review_group(session.pk), review_state(session))


def review_open(*, actor, session_id):
    with transaction.atomic():
        session = _facilitated(actor, session_id, status=Status.SCHEDULED)
        session.status, session.opened_at, session.current_position = Status.OPEN, timezone.now(), 1
        session.save(update_fields=["status", "opened_at", "current_position"])
        _audit(Action.REVIEW_OPENED, actor, session)
        _publish_state(session)
    return session


def review_join(*, actor, session_id):
    """Admit a team member to the live room; the first join of an open review records attendance."""
    with transaction.atomic():
        session = review_for_member(actor, session_id, lock=True)
        if session.status == Status.OPEN and not session.attendance.filter(user=actor).exists():
            Attendance.objects.create(session=session, user=actor, joined_at=timezone.now())
            _audit(Action.REVIEW_ATTENDED, actor, session, user_id=actor.pk)
            _publish_state(session)
        return session, review_state(session)


def review_goto(*, actor, session_id, position):
    with transaction.atomic():
        session = _facilitated(actor, session_id)
        item = _item_at(session, position)
        session.current_position = position
        session.save(update_fields=["current_position"])
        _audit(Action.REVIEW_AGENDA_MOVED, actor, session, position=position, case_id=item.case_id)
        _publish_state(session)
    return session


def review_minutes_save(*, actor, session_id, position, text, confirmations=()):
    """Write the minutes for one case; they stay with the review until it closes.

    `confirmations`: flagged spans the facilitator confirmed are not identifiers.
    """
    text = text.strip()
    if len(text) > MINUTES_MAX_CHARS:
        raise TooLarge(f"minutes are limited to {MINUTES_MAX_CHARS} characters", field="minutes")
    with transaction.atomic():
        session = _facilitated(actor, session_id)
        item = _item_at(session, position)
        accepted = guard_text(text, field="minutes", confirmations=confirmations)
        item.minutes, item.minutes_by, item.minutes_at = text, actor, timezone.now()
        item.save(update_fields=["minutes", "minutes_by", "minutes_at"])
        _audit(
            Action.REVIEW_MINUTES_SAVED,
            actor,
            session,
            position=position,
            case_id=item.case_id,
            minutes_sha256=content_hash(text),
        )
        false_alarms_audit(
            actor=actor,
            case=item.case,
            record={"agenda_item_id": item.pk},
            accepted={"minutes": accepted},
            texts={"minutes": text},
        )
        _publish_state(session)
    return item


def _item_at(session, position):
    item = (
        AgendaItem.objects.filter(session=session, position=position).select_related("case").first()
    )
    if item is None:
        raise ValidationFailed(f"there is no agenda item {position}", field="position")
    return item


def review_close(*, actor, session_id):
    """Close the review; each case's minutes land in that case's record and audit trail."""
    with transaction.atomic():
        session = _facilitated(actor, session_id)
        session.status, session.closed_at = Status.CLOSED, timezone.now()
        session.save(update_fields=["status", "closed_at"])
        agenda = agenda_of(session)
        _audit(
            Action.REVIEW_CLOSED,
            actor,
            session,
            minutes_held=session.minutes_held,
            attendee_ids=list(session.attendance.values_list("user_id", flat=True)),
        )
        for item in (item for item in agenda if item.minutes):
            audit_append(
                action=Action.REVIEW_MINUTES_RECORDED,
                actor=actor,
                case=item.case,
                payload={
                    "session_id": session.pk,
                    "agenda_item_id": item.pk,
                    "minutes_sha256": content_hash(item.minutes),
                },
            )
            publish_on_commit(
                case_group(item.case_id),
                frames.review_minutes_recorded(code=item.case.code, session_id=session.pk),
            )
        _publish_state(session)
    return session
