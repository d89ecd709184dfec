"""The supervision-hours CSV lists exactly the sessions a therapist had, for licensure.

alice (therapist) has: a guidance session with bob, a consult bob answered, a group review bob ran.
bob supervises North, carol is a North peer, oscar (East) is an outsider.
"""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest

from consult.oncall.models import ConsultRequest, Kind, State
from consult.records.guidance.services import guidance_amend, guidance_log
from consult.records.reviews import services as reviews
from tests.reviews.helpers import WHEN

pytestmark = pytest.mark.django_db

MARCH_3 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
MARCH_4 = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)
MARCH_5 = datetime(2025, 3, 5, 9, 30, tzinfo=UTC)


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def sessions(alice, bob, carol, north, north_case):
    with at(MARCH_3):
        entry = guidance_log(
            actor=bob,
            case_code=north_case.code,
            assessment="Engaged",
            recommendation="Weekly sessions",
            session_minutes=40,
        )
    with at(MARCH_3 + timedelta(hours=1)):
        guidance_amend(
            actor=bob,
            case_code=north_case.code,
            entry_id=entry.pk,
            assessment="Engaged",
            recommendation="Twice weekly",
        )  # an amendment is not another session
    review = reviews.review_schedule(actor=bob, team_id=north.pk, scheduled_at=WHEN)
    with at(MARCH_4):
        reviews.review_open(actor=bob, session_id=review.pk)
        reviews.review_join(actor=alice, session_id=review.pk)
        reviews.review_join(actor=carol, session_id=review.pk)
    with at(MARCH_4 + timedelta(minutes=55)):
        reviews.review_close(actor=bob, session_id=review.pk)
    ConsultRequest.objects.create(
        kind=Kind.URGENT,
        team=north,
        case=north_case,
        requester=alice,
        question="Is a plan enough?",
        state=State.RESOLVED,
        acknowledged_by=bob,
        acknowledged_at=MARCH_5,
        resolved_by=bob,
        resolved_at=MARCH_5 + timedelta(minutes=25),
    )
    ConsultRequest.objects.create(  # never acknowledged: no supervision happened
        kind=Kind.ROUTINE,
        team=north,
        case=north_case,
        requester=alice,
        question="Later",
        state=State.OPEN,
    )
    return review


def test_it_exports_exactly_the_therapists_sessions(client, alice, north_case, sessions):
    client.force_login(alice)
    response = client.get(f"/supervision-hours/{alice.pk}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode().split("\r\n") == [
        "date,minutes,supervisor,format,activity,reference",
        f"2025-03-03,40,Bob,individual,guidance,{north_case.code}",
        f"2025-03-04,55,Bob,group,review,review {sessions.pk}",
        f"2025-03-05,25,Bob,individual,consult,{north_case.code}",
        "",
    ]


def test_it_shows_a_supervisor_their_teams_therapist(client, bob, alice, sessions):
    client.force_login(bob)
    page = client.get(f"/supervision-hours/?therapist={alice.pk}").content.decode()
    assert "3 sessions · 120 minutes in total" in page
    assert client.get(f"/supervision-hours/{alice.pk}.csv").status_code == 200


def test_it_hides_a_therapists_hours_from_peers_and_outsiders(
    client, carol, oscar, alice, sessions
):
    client.force_login(carol)
    assert client.get(f"/supervision-hours/{alice.pk}.csv").status_code == 403
    client.force_login(oscar)
    assert client.get(f"/supervision-hours/{alice.pk}.csv").status_code == 404
    assert client.get(f"/supervision-hours/{alice.pk}/").status_code == 404
