"""Who may read a case's trail: consult/cases/access.py, need AUDITOR (its team's members, and
admins for every case); this name goes when the audit app moves to case_for."""

from consult.cases.access import Need, case_for


def case_for_auditor(user, code):
    return case_for(user, code, need=Need.AUDITOR)
