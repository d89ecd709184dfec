"""Team membership changes land on the trail of every case of that team.

Memberships change through Django admin inlines as well as code, so the trail is written from
model signals, which both paths pass through. The admin sets `audit_actor` on the instance so
the event names who made the change; other writers may too (None means "by the system").
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from consult.accounts.models import Membership
from consult.audit.kinds import Action
from consult.audit.services import audit_append
from consult.cases.models import Case


@receiver(post_save, sender=Membership, dispatch_uid="audit_membership_added")
def membership_added(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        audit_team_cases(instance, Action.TEAM_MEMBERSHIP_ADDED)


@receiver(post_delete, sender=Membership, dispatch_uid="audit_membership_removed")
def membership_removed(sender, instance, **kwargs):
    audit_team_cases(instance, Action.TEAM_MEMBERSHIP_REMOVED)


def audit_team_cases(membership, action):
    """One event per case of the team. Joins the writer's transaction (the admin's is atomic);
    a bare autocommit save gets its own, right after it."""
    payload = {
        "team_id": membership.team_id,
        "user_id": membership.user_id,
        "membership_id": membership.pk,
    }
    actor = getattr(membership, "audit_actor", None)
    with transaction.atomic():
        for case in Case.objects.filter(team_id=membership.team_id).order_by("pk"):
            audit_append(action=action, actor=actor, case=case, payload=payload)
