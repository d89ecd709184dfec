import pytest

from consult.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_it_shows_the_case_room_to_a_team_member(client, bob, north_case):
    client.force_login(bob)
    response = client.get(f"/cases/{north_case.code}/")
    assert response.status_code == 200
    assert north_case.title in response.content.decode()


def test_it_answers_404_to_an_outsider_without_leaking_the_case(client, oscar, north_case):
    client.force_login(oscar)
    response = client.get(f"/cases/{north_case.code}/")
    assert response.status_code == 404
    assert north_case.title not in response.content.decode()
    assert client.get("/cases/C-ZZZZZ/").status_code == 404


def test_it_lists_only_cases_of_my_teams(client, alice, oscar, north_case):
    client.force_login(oscar)
    assert north_case.code not in client.get("/cases/").content.decode()
    client.force_login(alice)
    assert north_case.code in client.get("/cases/").content.decode()


def test_it_sends_anonymous_visitors_to_sign_in(client, north_case):
    response = client.get(f"/cases/{north_case.code}/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_it_gives_cases_random_non_identifying_codes(north_case):
    assert north_case.code.startswith("C-") and len(north_case.code) == 7
    event = AuditEvent.objects.get(case=north_case)
    assert event.action == "case.created"
    assert "Teen" not in str(event.payload)  # the trail holds hashes, not text
