"""The records panel of a case page: guidance entries and review minutes, newest first."""

from consult.guidance.selectors import guidance_entries
from consult.records.access import is_team_supervisor
from consult.reviews.selectors import case_review_minutes


def records_context(user, case):
    return {
        "case": case,
        "user": user,
        "entries": guidance_entries(case),
        "review_minutes": case_review_minutes(case),
        "is_owner": user.pk == case.owner_id,
        "is_supervisor": is_team_supervisor(user, case.team_id),
    }
