"""Helpers the records' views share: fetch-or-404, and turning domain errors into form errors."""
from django.core.exceptions import PermissionDenied
from django.http import Http404

from consult.cases.access import case_for_member
from consult.core.errors import AccessDenied, IdentifierFound, NotFound
from consult.records.guarding import flagged_spans


def case_or_404(user, code):
    try:
        return case_for_member(user, code)
    except NotFound:
        raise Http404("No such case") from None


def form_error(form, error, texts):
    """Put a domain error on the form; returns (flagged spans or None, HTTP status).

    NotFound and AccessDenied are not form problems: they become 404 and 403.
    """
    if isinstance(error, NotFound):
        raise Http404("No such case")
    if isinstance(error, AccessDenied):
        raise PermissionDenied(error.message)
    if isinstance(error, IdentifierFound):
        flagged = flagged_spans(error, texts)
        for field in flagged:
            form.add_error(field if field in form.fields else None, "This looks like it identifies someone.")
        return flagged, 400
    form.add_error(error.field if error.field in form.fields else None, error.message)
    return None, 400
