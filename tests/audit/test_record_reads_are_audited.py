"""Reading a case's records is an action on the case:
each page read leaves one case.viewed event."""

import pytest

from consult.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def views(case):
    return [
        (e.actor.username, e.payload)
        for e in AuditEvent.objects.filter(case=case, action="case.viewed")
    ]


@pytest.mark.parametrize(
    "page, path",
    [
        ("risk", "/cases/{code}/risk/"),
        ("guidance", "/cases/{code}/guidance/"),
        ("safety_plan", "/cases/{code}/safety-plan/"),
    ],
)
def test_it_audits_who_read_which_record(client, bob, north_case, page, path):
    client.force_login(bob)
    assert client.get(path.format(code=north_case.code)).status_code == 200
    assert views(north_case) == [("bob", {"page": page})]


def test_it_leaves_no_trace_of_an_outsiders_attempt(client, oscar, north_case):
    client.force_login(oscar)
    assert client.get(f"/cases/{north_case.code}/risk/").status_code == 404
    assert views(north_case) == []
