"""Turning a domain error into what a form page shows: field errors and flagged spans;
and reading the writer's "this is not an identifier" ticks back from a refused form."""

import re

from consult.core.errors import AccessDenied, IdentifierFound, NotFound
from consult.core.http import error_status
from consult.deid.guard import Confirmation, flagged_spans

FLAGGED_MESSAGE = "This looks like it identifies someone."
CONFIRM_FIELD = "deid_confirm"  # one checkbox per flagged span: "field:start:end:KIND"
CONFIRMATION_VALUE = re.compile(r"^([a-z_]{1,40}):(\d{1,6}):(\d{1,6}):([A-Z_0-9]{1,20})$")
MAX_CONFIRMATIONS = 50


def form_confirmations(form):
    """{field: (Confirmation, ...)} the writer ticked on the refused form ("not an identifier").

    Values that are not well formed confirm nothing: the guard then refuses the span again,
    with its findings, which is the error the writer needs. Kept on the form so a page that
    is refused again keeps the ticks already given (deid/_flagged.html).
    """
    values = (
        form.data.getlist(CONFIRM_FIELD)[:MAX_CONFIRMATIONS]
        if hasattr(form.data, "getlist")
        else []
    )
    form.deid_confirmed = values
    return ticked_confirmations(values)


def ticked_confirmations(values):
    """{field: (Confirmation, ...)} from "field:start:end:KIND" values;
    malformed ones are skipped."""
    confirmations = {}
    for value in values[:MAX_CONFIRMATIONS]:
        match = CONFIRMATION_VALUE.match(value)
        if match:
            field, start, end, kind = match.groups()
            confirmations.setdefault(field, []).append(Confirmation(int(start), int(end), kind))
    return {field: tuple(found) for field, found in confirmations.items()}


def form_error(form, error, texts):
    """Put a domain error on the form; returns (flagged spans or None, HTTP status).

    NotFound and AccessDenied are not form problems: they go on to the view's @domain_errors
    (consult/core/http.py), which answers 404 and 403.
    """
    if isinstance(error, (NotFound, AccessDenied)):
        raise error
    if isinstance(error, IdentifierFound):
        flagged = flagged_spans(error, texts)
        for field in flagged:
            form.add_error(field if field in form.fields else None, FLAGGED_MESSAGE)
        return flagged, 400
    form.add_error(error.field if error.field in form.fields else None, error.message)
    return None, error_status(error)
