"""Changing who may do what: one function per change, each in one transaction.

Memberships change only here (product code, Django admin and commands alike), and each change is
recorded on the trail of every case of the team, in the name of `actor` (None: by the system).
The revocation that follows (sockets closed, sessions ended) hangs off the model saves and
deletes (consult/accounts/access_changes.py), so it reaches every way a row can go, cascades
included.
"""

from django.db import transaction

from consult.accounts.models import Membership
from consult.audit.kinds import Action
from consult.audit.services import audit_append


def membership_add(*, actor, team, user):
    """Put `user` in `team`: the team's cases are theirs to see from the commit on."""
    with transaction.atomic():
        membership = Membership.objects.create(team=team, user=user)
        _audit_team_cases(membership, membership.pk, Action.TEAM_MEMBERSHIP_ADDED, actor)
        return membership


def membership_remove(*, actor, membership):
    """Take a user out of a team: the team's cases are gone for them at once, sockets included."""
    with transaction.atomic():
        membership_id = membership.pk
        membership.delete()
        _audit_team_cases(membership, membership_id, Action.TEAM_MEMBERSHIP_REMOVED, actor)


def _audit_team_cases(membership, membership_id, action, actor):
    # One event per case of the team, in one order (two changes never deadlock on the heads).
    payload = {
        "team_id": membership.team_id,
        "user_id": membership.user_id,
        "membership_id": membership_id,
    }
    for case in membership.team.cases.order_by("pk"):
        audit_append(action=action, actor=actor, case=case, payload=payload)


def user_deactivate(*, actor, user):
    """Sign the user out everywhere and close every socket (4403);
    the account stays for the record."""
    with transaction.atomic():
        user.is_active = False
        user.changed_by = actor  # named on the session.revoked events
        user.save(update_fields=["is_active"])


def user_role_set(*, actor, user, role):
    with transaction.atomic():
        user.role = role
        user.save(update_fields=["role"])


def user_password_set(*, user, password, keep_session_id=None):
    """Set a new password: every session but `keep_session_id` ends, with its sockets (4001)."""
    with transaction.atomic():
        user.set_password(password)
        user.keep_session_id = keep_session_id
        user.changed_by = user
        user.save(update_fields=["password"])
