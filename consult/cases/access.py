"""Fetch-and-authorise for cases, in one place.

A case is visible only to active members of its team, and to a supervisor or admin holding an
active emergency grant for it (consult/emergency/). To anyone else it does not exist: the same
NotFound for a missing case and a forbidden one, so codes cannot be probed. A deactivated
account sees nothing. A refusal of a case
that does exist is an `access.denied` security event on the user's and the case's trail (in
the caller's transaction: a write that is refused rolls back with its event, and the read that
let the page open recorded it already).

`session_id`, from a socket, adds what the socket was opened under (consult/accounts/grants.py):
the session still open and the user's role unchanged, checked in the same query.
"""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from consult.accounts.models import Membership, UserSession
from consult.accounts.security_events import ACCESS_DENIED, security_event_record
from consult.cases.models import Case
from consult.core.errors import NotFound


def is_team_member(user, team_id, *, session_id=None):
    if not user.is_authenticated:
        return False
    memberships = Membership.objects.filter(
        team_id=team_id, user_id=user.pk, user__is_active=True, user__role=user.role
    )
    if session_id is not None:
        memberships = memberships.filter(Exists(_open_session(session_id, OuterRef("user_id"))))
    return memberships.exists()


def case_for_member(user, code, *, lock=False, session_id=None):
    if not user.is_authenticated or not user.is_active:
        raise NotFound("no such case")
    cases = Case.objects.select_related("team", "owner")
    if lock:
        # NO KEY: inserting rows that reference the case (audit events, messages) takes a
        # key-share lock on it; a full FOR UPDATE would make those inserts wait on us and
        # deadlock against a transaction that holds the audit head and inserts an event.
        cases = cases.select_for_update(of=("self",), no_key=True)
    cases = cases.filter(code=code)
    if session_id is not None:
        cases = cases.filter(Exists(_open_session(session_id, user.pk)))
    case = cases.filter(
        team__memberships__user=user,
        team__memberships__user__is_active=True,
        team__memberships__user__role=user.role,
    ).first()
    if case is None:
        case = cases.filter(
            emergency_grants__user=user,
            emergency_grants__expired_at__isnull=True,
            emergency_grants__expires_at__gt=timezone.now(),
            emergency_grants__user__is_active=True,
            emergency_grants__user__role=user.role,
        ).first()
    if case is None:
        _record_refusal(user, code)
        raise NotFound("no such case")
    return case


def _record_refusal(user, code):
    refused = Case.objects.filter(code=code).first()
    if refused is not None:
        security_event_record(ACCESS_DENIED, user=user, case=refused)


def visible_cases(user):
    return Case.objects.filter(
        team__memberships__user=user, team__memberships__user__is_active=True
    ).select_related("team", "owner")


def _open_session(session_id, user_id):
    return UserSession.objects.filter(pk=session_id, user_id=user_id, ended_at__isnull=True)
