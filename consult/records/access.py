"""Who may do what to a case's clinical records: now consult/cases/access.py (`case_for` and its
needs); these names go as each app moves to it."""

from consult.cases.access import Need, allows, case_for, is_team_supervisor

__all__ = ["can_edit_records", "case_for_editor", "case_for_owner", "case_for_supervisor"]
__all__ += ["is_team_supervisor"]


def can_edit_records(user, case):
    return allows(user, case, Need.EDITOR)


def case_for_editor(user, code, *, lock=False):
    return case_for(user, code, need=Need.EDITOR, lock=lock)


def case_for_supervisor(user, code, *, lock=False):
    return case_for(user, code, need=Need.SUPERVISOR, lock=lock)


def case_for_owner(user, code, *, lock=False):
    return case_for(user, code, need=Need.OWNER, lock=lock)
