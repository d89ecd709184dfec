import pytest

from consult.audit.models import AuditEvent
from consult.cases.models import Case

pytestmark = pytest.mark.django_db


def test_it_refuses_a_case_title_with_an_identifier_and_shows_the_span(client, alice, north):
    client.force_login(alice)
    response = client.post(
        "/cases/new/",
        {
            "team": north.pk,
            "title": "Maria Lopez, panic attacks",
            "summary": "",
            "risk_level": "low",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"title": ["This looks like it identifies someone."]}
    assert response.context["flagged"] == {
        "title": [{"start": 0, "end": 11, "kind": "NAME", "text": "Maria Lopez"}]
    }
    assert (
        not Case.objects.exists()
        and not AuditEvent.objects.filter(stream__startswith="case:").exists()
    )


def test_it_refuses_a_summary_with_a_phone_number(client, alice, north):
    client.force_login(alice)
    response = client.post(
        "/cases/new/",
        {
            "team": north.pk,
            "title": "Panic attacks at work",
            "summary": "Reachable on 617-555-0143 after six.",
            "risk_level": "low",
        },
    )
    assert response.status_code == 400
    assert response.context["flagged"] == {
        "summary": [{"start": 13, "end": 25, "kind": "PHONE", "text": "617-555-0143"}]
    }
    assert not Case.objects.exists()


def test_it_flags_every_field_at_once(client, alice, north):
    client.force_login(alice)
    response = client.post(
        "/cases/new/",
        {
            "team": north.pk,
            "title": "Maria Lopez, panic attacks",
            "summary": "Reachable on 617-555-0143.",
            "risk_level": "low",
        },
    )
    assert set(response.context["flagged"]) == {"title", "summary"}
    assert set(response.context["form"].errors) == {"title", "summary"}
