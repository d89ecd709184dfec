"""Who may do what to a case's clinical records, decided in one place.

action                         who
read records, comment          every member of the case's team
edit risk picture, safety plan the case owner and the team's supervisors (and admins)
log or amend guidance          the team's supervisors (and admins)
acknowledge guidance           the case owner
anyone outside the team        nothing: NotFound, exactly as for a missing case
"""

from consult.cases.access import case_for_member, is_team_member
from consult.core.errors import AccessDenied


def is_team_supervisor(user, team_id):
    return user.is_authenticated and user.is_supervisor and is_team_member(user, team_id)


def can_edit_records(user, case):
    return user.pk == case.owner_id or is_team_supervisor(user, case.team_id)


def case_for_editor(user, code, *, lock=False):
    case = case_for_member(user, code, lock=lock)
    if not can_edit_records(user, case):
        raise AccessDenied("only the case owner and the team's supervisors may change this")
    return case


def case_for_supervisor(user, code, *, lock=False):
    case = case_for_member(user, code, lock=lock)
    if not is_team_supervisor(user, case.team_id):
        raise AccessDenied("only the team's supervisors may log guidance")
    return case


def case_for_owner(user, code, *, lock=False):
    case = case_for_member(user, code, lock=lock)
    if user.pk != case.owner_id:
        raise AccessDenied("only the case owner may acknowledge guidance")
    return case
