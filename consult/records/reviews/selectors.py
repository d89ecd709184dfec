"""Access-aware reads of review sessions, and the state frame the live room shows."""

from consult.cases.access import is_team_member, is_team_supervisor
from consult.core.errors import NotFound
from consult.events import frames
from consult.records.reviews.models import AgendaItem, ReviewSession, Status


def review_group(session_id):
    return f"review.{session_id}"


def review_for_member(user, session_id, *, lock=False):
    """The session if `user` is in its team; NotFound otherwise, exactly as for a missing one."""
    sessions = ReviewSession.objects.select_related("team", "facilitator")
    if lock:
        sessions = sessions.select_for_update(of=("self",))
    session = sessions.filter(pk=session_id).first()
    if session is None or not is_team_member(user, session.team_id):
        raise NotFound("no such review")
    return session


def teams_to_schedule(user):
    """The teams whose reviews `user` may schedule: those they supervise (or administer)."""
    return [team for team in user.teams.order_by("name") if is_team_supervisor(user, team.pk)]


def reviews_of(user):
    return ReviewSession.objects.filter(team__memberships__user=user).select_related(
        "team", "facilitator"
    )


def agenda_of(session):
    return list(
        AgendaItem.objects.filter(session=session)
        .select_related("case", "minutes_by")
        .order_by("position")
    )


def review_state(session):
    """The `review.state` frame: everything the live room shows,
    sent on join and after each change."""
    return frames.review_state(
        session,
        agenda=agenda_of(session),
        attendees=[a.user for a in session.attendance.select_related("user")],
    )


def case_review_minutes(case):
    """Minutes of closed reviews about this case: part of the case's record."""
    return (
        AgendaItem.objects.filter(case=case, session__status=Status.CLOSED)
        .exclude(minutes="")
        .select_related("session", "session__facilitator", "minutes_by")
        .order_by("-session__closed_at")
    )
