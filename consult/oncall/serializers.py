"""Frames about consults. `page_dict` may reach lock screens: ids, case code, urgency, link only."""

from consult.cases.serializers import user_dict
from consult.oncall.models import Tier


def _iso(moment):
    return moment.isoformat() if moment else None


def consult_url(consult):
    return f"/dashboard/#consult-{consult.pk}"


def consult_dict(consult):
    """For the team's own screens (case room, dashboards): holds the question,
    never leaves the app."""
    return {
        "id": consult.pk,
        "kind": consult.kind,
        "state": consult.state,
        "tier": consult.tier,
        "tier_label": Tier(consult.tier).label if consult.tier else None,
        "round": consult.round,
        "case": consult.case.code if consult.case_id else None,
        "team": {"id": consult.team_id, "name": consult.team.name},
        "requester": user_dict(consult.requester),
        "question": consult.question,
        "signs": consult.signs,
        "signs_note": consult.signs_note,
        "created_at": _iso(consult.created_at),
        "escalate_at": _iso(consult.escalate_at),
        "acknowledged_at": _iso(consult.acknowledged_at),
        "acknowledged_by": user_dict(consult.acknowledged_by)
        if consult.acknowledged_by_id
        else None,
        "resolved_at": _iso(consult.resolved_at),
        "resolved_by": user_dict(consult.resolved_by) if consult.resolved_by_id else None,
        "outcome": consult.outcome,
        "updated_at": _iso(consult.updated_at),
        "url": consult_url(consult),
    }


def page_dict(page, consult):
    return {
        "id": page.pk,
        "consult_id": consult.pk,
        "case": consult.case.code if consult.case_id else None,
        "urgency": consult.kind,
        "tier": page.tier,
        "tier_label": Tier(page.tier).label,
        "sent_at": _iso(page.sent_at),
        "deadline_at": _iso(consult.escalate_at),
        "repeat": page.repeats,
        "seen": page.seen_at is not None,
        "url": consult_url(consult),
    }
