"""A refusal (403, 404) is one line in the server log; a real error keeps its traceback.
carol is a North peer: she may not open alice's supervision hours."""

import logging
import sys

import pytest
from django.core.exceptions import PermissionDenied

from consult.core.logs import RefusalsInOneLine

pytestmark = pytest.mark.django_db


def formatted(record):
    """The record as the server's console handler writes it, through that handler's own filters."""
    [console] = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RefusalsInOneLine) for f in h.filters)
    ]
    console.filter(record)
    return logging.Formatter().format(record)


def record_with(error):
    try:
        raise error
    except Exception:  # noqa: BLE001 - raised just above, to log it with its traceback
        return logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/x",), sys.exc_info()
        )


def test_it_logs_a_forbidden_request_as_one_line(client, carol, alice, caplog):
    client.force_login(carol)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(f"/supervision-hours/{alice.pk}.csv").status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert formatted(record) == f"Forbidden (Permission denied): /supervision-hours/{alice.pk}.csv"


def test_it_keeps_the_traceback_of_a_real_error():
    text = formatted(record_with(ZeroDivisionError("boom")))
    assert "Traceback" in text and "ZeroDivisionError" in text
    assert formatted(record_with(PermissionDenied("no"))) == "Forbidden: /x"
