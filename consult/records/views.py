"""Fetch-or-404 for the records' pages."""
from django.http import Http404

from consult.cases.access import case_for_member
from consult.core.errors import NotFound


def case_or_404(user, code):
    try:
        return case_for_member(user, code)
    except NotFound:
        raise Http404("No such case") from None
