"""The records panel of a case page: guidance entries and review minutes, newest first."""

from consult.cases.access import Need, allows
from consult.records.guidance.selectors import guidance_entries
from consult.records.reviews.selectors import case_review_minutes


def records_context(user, case):
    return {
        "case": case,
        "user": user,
        "entries": guidance_entries(case),
        "review_minutes": case_review_minutes(case),
        "is_owner": allows(user, case, Need.OWNER),
        "is_supervisor": allows(user, case, Need.SUPERVISOR),
    }
