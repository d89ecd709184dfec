"""Supervision hours count the session a supervisor logged for a consult, open on the team for a
supervisor, and say "1 minute".

alice (therapist) asked an urgent consult bob answered, and bob logged 45 minutes of guidance for
it; bob supervises North; carol is a North peer.
"""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest

from consult.oncall.models import ConsultRequest, Kind, State
from consult.records.guidance.services import guidance_log

pytestmark = pytest.mark.django_db

MARCH_5 = datetime(2025, 3, 5, 9, 30, tzinfo=UTC)


def answered_consult(alice, bob, north, case, *, minutes):
    return ConsultRequest.objects.create(
        kind=Kind.URGENT,
        team=north,
        case=case,
        requester=alice,
        question="Is a plan enough?",
        state=State.RESOLVED,
        acknowledged_by=bob,
        acknowledged_at=MARCH_5,
        resolved_by=bob,
        resolved_at=MARCH_5 + timedelta(minutes=minutes),
    )


def test_guidance_logged_for_a_consult_counts_its_session_once(
    client, alice, bob, north, north_case
):
    consult = answered_consult(alice, bob, north, north_case, minutes=5)
    with mock.patch("django.utils.timezone.now", return_value=MARCH_5 + timedelta(minutes=6)):
        guidance_log(
            actor=bob,
            case_code=north_case.code,
            assessment="Plan disclosed",
            recommendation="Safety plan now",
            session_minutes=45,
            consult_id=consult.pk,
        )
    client.force_login(alice)
    assert client.get(f"/supervision-hours/{alice.pk}.csv").content.decode().split("\r\n")[1:] == [
        f"2025-03-05,45,Bob,individual,guidance,{north_case.code}",
        "",
    ]


def test_a_consult_answered_without_guidance_still_counts(client, alice, bob, north, north_case):
    answered_consult(alice, bob, north, north_case, minutes=1)
    client.force_login(alice)
    page = client.get("/supervision-hours/").content.decode()
    assert "1 session · 1 minute in total" in page


def test_a_supervisor_opens_on_the_therapists_he_supervises(
    client, alice, bob, carol, north, north_case
):
    consult = answered_consult(alice, bob, north, north_case, minutes=20)
    guidance_log(
        actor=bob,
        case_code=north_case.code,
        assessment="a",
        recommendation="b",
        session_minutes=30,
        consult_id=consult.pk,
    )
    client.force_login(bob)
    response = client.get("/supervision-hours/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Supervision hours · my teams" in page
    assert f'href="/supervision-hours/{alice.pk}/">Alice</a>' in page
    assert '<td data-label="Minutes">30</td>' in page
    assert (
        client.get(f"/supervision-hours/{bob.pk}/").status_code == 200
    )  # his own log is a link away


def test_a_therapist_still_opens_on_her_own_log(client, alice, bob):
    client.force_login(alice)
    assert "Supervision hours · Alice" in client.get("/supervision-hours/").content.decode()
