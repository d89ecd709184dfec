"""The dashboard, the rota page and the consult endpoints over HTTP.

bob supervises North and is primary on call; alice is a North therapist;
oscar (East) is an outsider.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from consult.oncall.models import ConsultRequest, Shift
from consult.records.followups.services import followup_schedule

pytestmark = pytest.mark.django_db


def test_it_raises_an_urgent_consult_over_http(client, alice, rota, north_case):
    client.force_login(alice)
    response = client.post(
        "/consults/new/",
        {
            "kind": "urgent",
            "case": north_case.code,
            "question": "Plan disclosed; what now?",
            "plan": "on",
        },
    )
    assert response.status_code == 201
    consult = response.json()["consult"]
    assert (
        consult["state"],
        consult["tier"],
        consult["signs"]["plan"],
        consult["signs"]["means"],
    ) == ("paging", 1, True, False)


def test_it_answers_identifier_findings_with_400(client, alice, rota, north_case):
    client.force_login(alice)
    response = client.post(
        "/consults/new/",
        {"kind": "urgent", "case": north_case.code, "question": "Call John Smith at 555-867-5309"},
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "identifier_found"


def test_it_answers_404_to_an_outsider(client, alice, oscar, rota, north_case):
    client.force_login(alice)
    consult_id = client.post(
        "/consults/new/", {"kind": "urgent", "case": north_case.code, "question": "Help."}
    ).json()["consult"]["id"]
    client.force_login(oscar)
    assert client.post(f"/consults/{consult_id}/ack/").status_code == 404
    assert client.get(f"/consults/case/{north_case.code}/").status_code == 404
    assert ConsultRequest.objects.get().state == "paging"


def test_it_shows_on_call_overdue_followups_and_turnaround_to_supervisors(
    client, alice, bob, rota, north_case
):
    followup_schedule(
        actor=alice, case_code=north_case.code, due_at=timezone.now() - timedelta(hours=2)
    )
    client.force_login(bob)
    page = client.get("/dashboard/").content.decode()
    assert "Bob (primary)" in page and "Dave (backup)" in page
    assert (
        'data-testid="overdue-followups"' in page
        and north_case.code in page.split("overdue-followups")[1]
    )
    assert 'data-testid="turnaround"' in page
    client.force_login(alice)
    assert 'data-testid="overdue-followups"' not in client.get("/dashboard/").content.decode()


def test_it_lets_supervisors_manage_the_rota_and_not_therapists(
    client, alice, bob, erin, rota, north
):
    form = {
        "action": "add",
        "team": north.pk,
        "supervisor": erin.pk,
        "tier": 1,
        "starts_at": "2030-01-01T09:00",
        "ends_at": "2030-01-01T17:00",
    }
    client.force_login(alice)
    assert client.post("/oncall/", form).status_code == 403  # refused by the rota service
    client.force_login(bob)
    assert client.post("/oncall/", form).status_code == 302
    assert Shift.objects.filter(supervisor=erin).exists()
    assert (
        client.post(
            "/oncall/", {"action": "settings", "team": north.pk, "ack_seconds": 90}
        ).status_code
        == 302
    )
    north.paging_settings.refresh_from_db()
    assert north.paging_settings.ack_seconds == 90
