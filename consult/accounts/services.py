"""Changing who may do what: one function per change, each in one transaction.

The revocation that follows (sockets closed, sessions ended) hangs off the model saves
(consult/accounts/access_changes.py), so admin and commands get it too; these functions are
what product code, admin and commands call.
"""

from django.db import transaction

from consult.accounts.models import Membership


def membership_remove(*, actor, membership):
    """Take a user out of a team: the team's cases are gone for them at once, sockets included."""
    with transaction.atomic():
        membership.audit_actor = actor  # named on each case's trail (consult/audit/signals.py)
        membership.delete()


def membership_add(*, actor, team, user):
    with transaction.atomic():
        membership = Membership(team=team, user=user)
        membership.audit_actor = actor
        membership.save()
        return membership


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
