"""The case edit page: owner and supervisors change a case; other members 403, outsiders 404."""

import pytest

from consult.cases.models import Case
from tests.support.audit import last_seq, trail

pytestmark = pytest.mark.django_db


def form(case, **changes):
    return {
        "title": case.title,
        "summary": case.summary,
        "status": case.status,
        "reason": "Review",
        **changes,
    }


def test_it_saves_the_owners_edit_and_returns_to_the_room(client, alice, north_case):
    client.force_login(alice)
    assert client.get(f"/cases/{north_case.code}/edit/").status_code == 200
    before = last_seq(north_case)
    response = client.post(f"/cases/{north_case.code}/edit/", form(north_case, status="monitoring"))
    assert response.status_code == 302 and response.url == f"/cases/{north_case.code}/"
    assert Case.objects.get(pk=north_case.pk).status == "monitoring"
    assert [action for action, _, _ in trail(north_case, after=before)] == ["case.status_changed"]


def test_it_lets_a_supervisor_of_the_team_edit(client, bob, north_case):
    client.force_login(bob)
    response = client.post(
        f"/cases/{north_case.code}/edit/", form(north_case, title="Teen, risk reviewed")
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=north_case.pk).title == "Teen, risk reviewed"


def test_it_forbids_a_peer_and_hides_the_case_from_an_outsider(client, carol, oscar, north_case):
    client.force_login(carol)
    assert client.get(f"/cases/{north_case.code}/edit/").status_code == 403
    assert (
        client.post(
            f"/cases/{north_case.code}/edit/", form(north_case, status="closed")
        ).status_code
        == 403
    )
    client.force_login(oscar)
    assert client.get(f"/cases/{north_case.code}/edit/").status_code == 404
    assert Case.objects.get(pk=north_case.pk).status == "open"


def test_it_shows_identifiers_found_in_the_text_and_saves_nothing(client, alice, north_case):
    client.force_login(alice)
    before = last_seq(north_case)
    response = client.post(
        f"/cases/{north_case.code}/edit/", form(north_case, summary="Lives with Maria Lopez")
    )
    assert response.status_code == 400
    assert [span["kind"] for span in response.context["flagged"]["summary"]] == ["NAME"]
    assert last_seq(north_case) == before


def test_it_asks_for_a_reason(client, alice, north_case):
    client.force_login(alice)
    response = client.post(
        f"/cases/{north_case.code}/edit/", form(north_case, status="closed", reason="")
    )
    assert response.status_code == 400 and "reason" in response.context["form"].errors
