"""Domain errors (consult/core/errors.py) as HTTP answers, decided here once.

    error          status   @domain_errors (HTML)              @domain_errors(json=True)
    NotFound       404      Django's 404 page (Http404)        {"error": error.as_dict()}
    AccessDenied   403      Django's 403 page (PermissionDenied)   the same
    Unavailable    503      a one-line text page                the same
    RateLimited    429      a one-line text page                the same
    any other      400      a one-line text page                the same

A view lets domain errors through and wears the decorator; a form page that shows an error on
its form catches it (consult/deid/forms.py `form_error`), which lets NotFound and AccessDenied go
on to here, and asks `error_status` for the status of the page it renders.
"""

from functools import partial, wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse

from consult.core.errors import AccessDenied, ConsultError, NotFound, RateLimited, Unavailable

STATUSES = ((NotFound, 404), (AccessDenied, 403), (Unavailable, 503), (RateLimited, 429))


def error_status(error):
    return next((status for kind, status in STATUSES if isinstance(error, kind)), 400)


def domain_errors(view=None, *, json=False):
    """Answer the domain errors `view` raises (the table above)."""
    if view is None:
        return partial(domain_errors, json=json)

    @wraps(view)
    def answering(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ConsultError as error:
            return _answer(error, json=json)

    answering.domain_errors = True
    return answering


def _answer(error, *, json):
    if json:
        return JsonResponse({"error": error.as_dict()}, status=error_status(error))
    if isinstance(error, NotFound):
        raise Http404(error.message) from None
    if isinstance(error, AccessDenied):
        raise PermissionDenied(error.message) from None
    return HttpResponse(
        error.message, status=error_status(error), content_type="text/plain; charset=utf-8"
    )
