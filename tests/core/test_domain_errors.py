"""Domain errors become HTTP answers in one place (consult/core/http.py): the table of statuses,
for HTML and JSON views, every domain view wearing the decorator, and no view mapping one itself.
"""

import ast
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

import consult
from consult.core.errors import (
    AccessDenied,
    IdentifierFound,
    NotFound,
    RateLimited,
    TooLarge,
    Unavailable,
    ValidationFailed,
)
from consult.core.http import domain_errors

# Apps whose views answer no domain errors: sign-in and sessions, the web app shell, health.
NOT_DOMAIN = ("consult.accounts.", "consult.webapp.", "consult.ops.")
# Where Http404 and PermissionDenied may be named: the mapping itself, the log filter that keeps
# refusals to one line, and the favicon (no domain object).
MAY_NAME_HTTP_ERRORS = {"core/http.py", "core/logs.py", "webapp/views.py"}

ERRORS = [
    (NotFound("no such case"), 404),
    (AccessDenied("only the team's supervisors may do this"), 403),
    (ValidationFailed("a case needs a title", field="title"), 400),
    (TooLarge("body is over 16384 bytes", field="body"), 400),
    (IdentifierFound([], field="body"), 400),
    (Unavailable(), 503),
    (RateLimited(retry_after=2), 429),
]


def raising(error):
    def view(request):
        raise error

    return view


@pytest.mark.parametrize("error, status", ERRORS)
def test_a_json_view_answers_the_error_as_json_with_its_status(error, status):
    response = domain_errors(json=True)(raising(error))(RequestFactory().post("/"))
    assert response.status_code == status
    assert json.loads(response.content) == {"error": error.as_dict()}


@pytest.mark.parametrize("error, status", ERRORS)
def test_an_html_view_answers_refusals_with_djangos_pages_and_the_rest_in_one_line(error, status):
    view = domain_errors(raising(error))
    if status in (404, 403):
        with pytest.raises(Http404 if status == 404 else PermissionDenied):
            view(RequestFactory().get("/"))
    else:
        response = view(RequestFactory().get("/"))
        assert (response.status_code, response.content.decode()) == (status, error.message)


def test_a_view_that_raises_nothing_answers_as_it_would():
    answer = HttpResponse("fine")
    assert domain_errors(lambda request: answer)(RequestFactory().get("/")) is answer


def views(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from views(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_domain_view_wears_the_decorator():
    undecorated = [
        f"{path} ({callback.__module__}.{callback.__name__})"
        for path, callback in views()
        if callback.__module__.startswith("consult.")
        and not callback.__module__.startswith(NOT_DOMAIN)
        and not path.startswith("admin/")
        and not getattr(callback, "domain_errors", False)
    ]
    assert undecorated == []


def test_no_module_maps_a_domain_error_to_http_itself():
    root = Path(consult.__file__).parent
    naming = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative in MAY_NAME_HTTP_ERRORS:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
            if name in ("Http404", "PermissionDenied"):
                naming.append(f"{relative}:{node.lineno} {name}")
    assert naming == [], "raise NotFound or AccessDenied; @domain_errors answers them"
