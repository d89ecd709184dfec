"""Fetch-or-404 for the records' pages."""

from django.http import Http404

from consult.cases.access import case_for_member
from consult.cases.services import case_view
from consult.core.errors import NotFound


def case_or_404(user, code, *, viewing=None):
    """The case for a member, else 404. `viewing` names the page when the request reads it:
    reads of a case's records are audited like every other action on it."""
    try:
        case = case_for_member(user, code)
    except NotFound:
        raise Http404("No such case") from None
    if viewing:
        case_view(actor=user, case_code=code, page=viewing, case=case)
    return case
