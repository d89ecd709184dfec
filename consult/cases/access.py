"""Fetch-and-authorise for cases, in one place: `case_for(user, code, need=..., lock=...)`.

Every service, page and socket obtains a case here, saying what it needs the user to be:

    need         who gets the case                                      anyone else
    MEMBER       an active member of its team (role unchanged since     NotFound
                 sign-in), or the holder of an active emergency grant
                 for it (consult/emergency/)
    OWNER        MEMBER, and the case's owner                           AccessDenied
    EDITOR       MEMBER, and the owner or a supervisor (or admin)       AccessDenied
                 of its team: title, status, risk picture, safety plan
    SUPERVISOR   MEMBER, and a supervisor (or admin) of its team:       AccessDenied
                 log, amend guidance; redact false alarms
    AUDITOR      MEMBER, or an admin (the trail of every case)          NotFound
    BREAK_GLASS  an active supervisor or admin (they ask for a grant    AccessDenied; NotFound
                 to a case outside their team; the grant is the access) for a missing case

A case the user may not see does not exist for them: the same NotFound for a missing case and
a forbidden one, so codes cannot be probed. A deactivated account sees nothing. A refusal of a
case that does exist is an `access.denied` security event on the user's and the case's trail
(in the caller's transaction: a write that is refused rolls back with its event, and the read
that let the page open recorded it already). An emergency grant makes its holder a MEMBER of
that one case, not its editor or supervisor: it opens the case to read and post in, not to change.

`session_id`, from a socket, adds what the socket was opened under (consult/accounts/grants.py):
the session still open and the user's role unchanged, checked in the same query.

Locks: `lock=True` takes the case row FOR NO KEY UPDATE, in the caller's transaction. The rule
everywhere is **the case row before the audit head**: a message post holds the case row and then
appends to the case's audit stream (its head row); appending any case event inserts a row that
references the case (a KEY SHARE lock on it) while holding the head. Taking the case row first,
NO KEY so that those key-share locks are not blocked, keeps one order and the two cannot
deadlock. A service that writes a case event without obtaining the case (the scheduler) takes
the row with `case_row_lock` first. The one-statement post (consult/cases/store.py) states the
MEMBER rule in its own SQL, to lock and authorise in one round trip; the permission matrix
(tests/records/) checks it with the rest.
"""

from enum import StrEnum

from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from consult.accounts.models import Membership, Role, UserSession
from consult.accounts.security_events import ACCESS_DENIED, security_event_record
from consult.cases import store
from consult.cases.models import Case
from consult.core.errors import AccessDenied, NotFound


class Need(StrEnum):
    MEMBER = "member"
    OWNER = "owner"
    EDITOR = "editor"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    BREAK_GLASS = "break_glass"


BREAK_GLASS_ROLES = (Role.SUPERVISOR, Role.ADMIN)

REFUSALS = {
    Need.OWNER: "only the case owner may do this",
    Need.EDITOR: "only the case owner and the team's supervisors may change this",
    Need.SUPERVISOR: "only the team's supervisors may do this",
}


def case_for(user, code, *, need=Need.MEMBER, lock=False, session_id=None):
    """The case `code` for `user` when they are what `need` says (the table above), else the
    refusal; `lock` takes its row (case row before audit head)."""
    need = Need(need)
    if need is Need.AUDITOR and _is_admin(user):
        return _existing_case(code, lock=lock)
    if need is Need.BREAK_GLASS:
        if not may_break_glass(user):
            raise AccessDenied("emergency access is for supervisors and admins")
        return _existing_case(code, lock=lock)
    case = _member_case(user, code, lock=lock, session_id=session_id)
    if need in REFUSALS and not allows(user, case, need):
        raise AccessDenied(REFUSALS[need])
    return case


def allows(user, case, need):
    """Whether `user`, who obtained `case` as a MEMBER, is also what `need` says: for pages that
    show or hide a button. The services decide with case_for."""
    need = Need(need)
    if need is Need.OWNER:
        return user.pk == case.owner_id
    if need is Need.EDITOR:
        return user.pk == case.owner_id or is_team_supervisor(user, case.team_id)
    if need is Need.SUPERVISOR:
        return is_team_supervisor(user, case.team_id)
    raise ValueError(f"allows() answers for the roles within a team, not {need}")


def case_row_lock(case_id):
    """Take the row of a case already obtained (or of no user's: the scheduler's) before
    appending to its trail: the lock order in the module docstring."""
    Case.objects.select_for_update(no_key=True).filter(pk=case_id).values_list(
        "pk", flat=True
    ).first()


def visible_cases(user):
    return Case.objects.filter(
        team__memberships__user=user, team__memberships__user__is_active=True
    ).select_related("team", "owner")


def is_team_member(user, team_id, *, session_id=None):
    if not user.is_authenticated:
        return False
    memberships = Membership.objects.filter(
        team_id=team_id, user_id=user.pk, user__is_active=True, user__role=user.role
    )
    if session_id is not None:
        memberships = memberships.filter(Exists(_open_session(session_id, OuterRef("user_id"))))
    return memberships.exists()


def is_team_supervisor(user, team_id):
    return user.is_authenticated and user.is_supervisor and is_team_member(user, team_id)


def may_break_glass(user):
    return user.is_authenticated and user.is_active and user.role in BREAK_GLASS_ROLES


def _is_admin(user):
    return user.is_authenticated and user.role == Role.ADMIN


def _cases(lock):
    cases = Case.objects.select_related("team", "owner")
    if lock:
        # NO KEY: inserting rows that reference the case (audit events, messages) takes a
        # key-share lock on it; a full FOR UPDATE would make those inserts wait on us and
        # deadlock against a transaction that holds the audit head and inserts an event.
        cases = cases.select_for_update(of=("self",), no_key=True)
    return cases


def _existing_case(code, *, lock):
    case = _cases(lock).filter(code=code).first()
    if case is None:
        raise NotFound("no such case")
    return case


def _member_case(user, code, *, lock, session_id):
    if not user.is_authenticated or not user.is_active:
        raise NotFound("no such case")
    if connection.vendor == "postgresql":
        case = store.member_case(user, code, lock=lock, session_id=session_id)
    else:
        case = _member_case_with_orm(user, code, lock=lock, session_id=session_id)
    if case is None:
        _record_refusal(user, code)
        raise NotFound("no such case")
    return case


def _member_case_with_orm(user, code, *, lock, session_id):
    cases = _cases(lock).filter(code=code)
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
    return case


def _record_refusal(user, code):
    refused = Case.objects.filter(code=code).first()
    if refused is not None:
        security_event_record(ACCESS_DENIED, user=user, case=refused)


def _open_session(session_id, user_id):
    return UserSession.objects.filter(pk=session_id, user_id=user_id, ended_at__isnull=True)
