"""Consult turnaround for the dashboard: request → acknowledgement and request → first
guidance, over the last TURNAROUND_DAYS."""

import math
import statistics
from datetime import timedelta

from django.utils import timezone

from consult.oncall.models import ConsultRequest
from consult.records.guidance.models import GuidanceEntry

TURNAROUND_DAYS = 30


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
