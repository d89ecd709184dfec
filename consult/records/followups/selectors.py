"""Reads for the dashboard: access-aware, no writes."""

from django.utils import timezone

from consult.records.followups.models import FollowUp


def overdue_followups(team_ids, *, now=None):
    """Open follow-ups past due in the given teams (those a supervisor supervises)."""
    now = now or timezone.now()
    return list(
        FollowUp.objects.filter(
            case__team_id__in=team_ids, completed_at__isnull=True, due_at__lt=now
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
