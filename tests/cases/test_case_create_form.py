import pytest

from consult.cases.models import Case

pytestmark = pytest.mark.django_db


def test_it_opens_a_case_from_the_form(client, alice, north):
    client.force_login(alice)
    response = client.post(
        "/cases/new/",
        {
            "team": north.pk,
            "title": "Panic after a car accident",
            "summary": "Avoids driving, poor sleep.",
            "risk_level": "low",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/cases/{case.code}/"
    assert (case.owner, case.team, case.risk_level, case.status) == (alice, north, "low", "open")


def test_it_gives_field_errors_for_a_missing_title_and_bad_risk(client, alice, north):
    client.force_login(alice)
    response = client.post("/cases/new/", {"team": north.pk, "title": "", "risk_level": "extreme"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "title": ["This field is required."],
        "risk_level": ["Select a valid choice. extreme is not one of the available choices."],
    }
    assert not Case.objects.exists()


def test_it_refuses_a_team_i_am_not_in(client, alice, north, east):
    client.force_login(alice)
    response = client.post("/cases/new/", {"team": east.pk, "title": "Sneaky", "risk_level": "low"})
    assert response.status_code == 400
    assert "team" in response.context["form"].errors
    assert not Case.objects.exists()
