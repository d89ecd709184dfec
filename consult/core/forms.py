"""Turning a domain error into what a form page shows: field errors, flagged spans, 404 or 403."""
from django.core.exceptions import PermissionDenied
from django.http import Http404

from consult.core.errors import AccessDenied, IdentifierFound, NotFound
from consult.deid.guard import flagged_spans

FLAGGED_MESSAGE = "This looks like it identifies someone."


def form_error(form, error, texts):
    """Put a domain error on the form; returns (flagged spans or None, HTTP status).

    NotFound and AccessDenied are not form problems: they become 404 and 403.
    """
    if isinstance(error, NotFound):
        raise Http404("Not found")
    if isinstance(error, AccessDenied):
        raise PermissionDenied(error.message)
    if isinstance(error, IdentifierFound):
        flagged = flagged_spans(error, texts)
        for field in flagged:
            form.add_error(field if field in form.fields else None, FLAGGED_MESSAGE)
        return flagged, 400
    form.add_error(error.field if error.field in form.fields else None, error.message)
    return None, 400
