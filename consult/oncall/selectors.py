"""Reads for the dashboard: access-aware, no writes."""

from django.db.models import Exists, OuterRef, Q

from consult.events import frames
from consult.oncall.models import ACTIVE_STATES, ConsultRequest, Page, Shift
from consult.oncall.rota import on_call_now


def supervised_team_ids(user):
    if not user.is_supervisor:
        return []
    return list(user.teams.values_list("pk", flat=True))


def active_consults(user):
    """Open consults a user should see: their own requests, and their teams' when they supervise."""
    teams = supervised_team_ids(user)
    consults = (
        ConsultRequest.objects.filter(state__in=ACTIVE_STATES)
        .filter(Q(requester=user) | Q(team_id__in=teams))
        .select_related("case", "team", "requester", "acknowledged_by", "resolved_by")
    )
    return list(consults.order_by("-created_at")[:100])


def with_active_consult(cases):
    """Annotate `active_consult`: a consult about the case is not resolved yet
    (the case list's mark)."""
    return cases.annotate(
        active_consult=Exists(
            ConsultRequest.objects.filter(case=OuterRef("pk"), state__in=ACTIVE_STATES)
        )
    )


def open_pages_of(user):
    return list(
        Page.objects.filter(recipient=user, closed_at__isnull=True)
        .select_related("consult__case")
        .order_by("-sent_at")[:50]
    )


def dashboard_snapshot(user):
    """What a (re)connecting notification socket needs to be consistent with the server."""
    return frames.dashboard_snapshot(consults=active_consults(user), pages=open_pages_of(user))


def on_call_by_team(user, *, now=None):
    return [(team, on_call_now(team.pk, now=now)) for team in user.teams.order_by("name")]


def case_consults(case, *, limit=20):
    return ConsultRequest.objects.filter(case=case).select_related(
        "case", "team", "requester", "acknowledged_by", "resolved_by"
    )[:limit]


def upcoming_shifts(team, *, now):
    return Shift.objects.filter(team=team, ends_at__gt=now).select_related("supervisor")
