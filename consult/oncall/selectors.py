"""Reads for the dashboard: access-aware, no writes."""

import math
import statistics
from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from consult.followups.models import FollowUp
from consult.guidance.models import GuidanceEntry
from consult.oncall.models import ACTIVE_STATES, ConsultRequest, Page, Shift
from consult.oncall.rota import on_call_now
from consult.oncall.serializers import consult_dict, page_dict

TURNAROUND_DAYS = 30


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
    return {
        "type": "dashboard.snapshot",
        "consults": [consult_dict(c) for c in active_consults(user)],
        "pages": [page_dict(p, p.consult) for p in open_pages_of(user)],
    }


def on_call_by_team(user, *, now=None):
    return [(team, on_call_now(team.pk, now=now)) for team in user.teams.order_by("name")]


def overdue_followups(user, *, now=None):
    """Open follow-ups past due in the teams a supervisor supervises."""
    now = now or timezone.now()
    return list(
        FollowUp.objects.filter(
            case__team_id__in=supervised_team_ids(user), completed_at__isnull=True, due_at__lt=now
        )
        .select_related("case", "owner")
        .order_by("due_at")[:200]
    )


def my_followups(user):
    return list(
        FollowUp.objects.filter(
            owner=user, completed_at__isnull=True, case__team__memberships__user=user
        )
        .select_related("case")
        .order_by("due_at")[:200]
    )


def first_guidance_times(consult_ids):
    """consult id → time of its first guidance entry."""
    firsts = {}
    entries = GuidanceEntry.objects.filter(consult_id__in=consult_ids).order_by("created_at")
    for consult_id, created_at in entries.values_list("consult_id", "created_at"):
        firsts.setdefault(consult_id, created_at)
    return firsts


def _figures(seconds):
    if not seconds:
        return {"count": 0, "median": None, "p90": None}
    ordered = sorted(seconds)
    p90 = ordered[math.ceil(0.9 * len(ordered)) - 1]  # nearest rank
    return {"count": len(ordered), "median": statistics.median(ordered), "p90": p90}


def turnaround(team_id, *, now=None):
    """Request → acknowledgement and request → first guidance, median and p90 in seconds,
    last 30 days."""
    now = now or timezone.now()
    consults = list(
        ConsultRequest.objects.filter(
            team_id=team_id, created_at__gte=now - timedelta(days=TURNAROUND_DAYS)
        )
        .exclude(kind="support")
        .values("pk", "created_at", "acknowledged_at")
    )
    acks = [
        (c["acknowledged_at"] - c["created_at"]).total_seconds()
        for c in consults
        if c["acknowledged_at"]
    ]
    firsts = first_guidance_times([c["pk"] for c in consults])
    guidance = _figures(
        [(firsts[c["pk"]] - c["created_at"]).total_seconds() for c in consults if c["pk"] in firsts]
    )
    return {
        "requests": len(consults),
        "acknowledgement": _figures(acks),
        "first_guidance": guidance,
    }


def case_consults(case, *, limit=20):
    return ConsultRequest.objects.filter(case=case).select_related(
        "case", "team", "requester", "acknowledged_by", "resolved_by"
    )[:limit]


def upcoming_shifts(team, *, now):
    return Shift.objects.filter(team=team, ends_at__gt=now).select_related("supervisor")
