"""A review from scheduling to closing: exact audit events,
and minutes landing in each case's record.

bob supervises North and facilitates; alice owns the North cases; carol is a North peer.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from consult.audit.chain import content_hash
from consult.cases.services import case_create
from consult.core.errors import AccessDenied, IdentifierFound, ValidationFailed
from consult.records.reviews import services
from consult.records.reviews.models import AgendaItem, Attendance
from consult.records.reviews.selectors import case_review_minutes
from tests.reviews.helpers import WHEN
from tests.support.audit import last_seq, trail

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_case(alice, north):
    return case_create(
        actor=alice, team_id=north.pk, title="Adult after a loss", risk_level="moderate"
    )


@pytest.fixture
def low_case(alice, north):
    return case_create(actor=alice, team_id=north.pk, title="Stable, monitoring", risk_level="low")


def test_it_orders_the_default_agenda_highest_risk_first(
    bob, north, north_case, second_case, low_case
):
    session = services.review_schedule(actor=bob, team_id=north.pk, scheduled_at=WHEN)
    agenda = AgendaItem.objects.filter(session=session).order_by("position")
    assert [item.case for item in agenda] == [north_case, second_case, low_case]
    assert trail(f"team:{north.pk}") == [
        (
            "review.scheduled",
            "bob",
            {
                "session_id": session.pk,
                "facilitator_id": bob.pk,
                "scheduled_at": WHEN.isoformat(),
                "planned_minutes": 60,
                "case_ids": [north_case.pk, second_case.pk, low_case.pk],
            },
        )
    ]


def test_it_records_attendance_minutes_and_lands_them_on_each_case(
    alice, bob, carol, north, north_case, second_case
):
    session = services.review_schedule(
        actor=bob,
        team_id=north.pk,
        scheduled_at=WHEN,
        case_codes=[second_case.code, north_case.code],
    )
    team = f"team:{north.pk}"
    since = last_seq(team)
    opened = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=opened):
        services.review_open(actor=bob, session_id=session.pk)
    services.review_join(actor=carol, session_id=session.pk)
    services.review_join(
        actor=carol, session_id=session.pk
    )  # a reconnect is not a second attendance
    services.review_minutes_save(
        actor=bob, session_id=session.pk, position=1, text="Grief work; weekly check-ins"
    )
    services.review_goto(actor=bob, session_id=session.pk, position=2)
    services.review_minutes_save(
        actor=bob, session_id=session.pk, position=2, text="Update the safety plan"
    )
    with mock.patch(
        "django.utils.timezone.now", return_value=opened + timedelta(minutes=47, seconds=10)
    ):
        services.review_close(actor=bob, session_id=session.pk)

    assert trail(team, after=since) == [
        ("review.opened", "bob", {"session_id": session.pk}),
        ("review.attended", "carol", {"session_id": session.pk, "user_id": carol.pk}),
        (
            "review.minutes_saved",
            "bob",
            {
                "session_id": session.pk,
                "position": 1,
                "case_id": second_case.pk,
                "minutes_sha256": content_hash("Grief work; weekly check-ins"),
            },
        ),
        (
            "review.agenda_moved",
            "bob",
            {"session_id": session.pk, "position": 2, "case_id": north_case.pk},
        ),
        (
            "review.minutes_saved",
            "bob",
            {
                "session_id": session.pk,
                "position": 2,
                "case_id": north_case.pk,
                "minutes_sha256": content_hash("Update the safety plan"),
            },
        ),
        (
            "review.closed",
            "bob",
            {"session_id": session.pk, "minutes_held": 47, "attendee_ids": [carol.pk]},
        ),
    ]
    for case, text in (
        (second_case, "Grief work; weekly check-ins"),
        (north_case, "Update the safety plan"),
    ):
        item = AgendaItem.objects.get(session=session, case=case)
        assert [i.minutes for i in case_review_minutes(case)] == [text]
        assert trail(case)[-1] == (
            "review.minutes_recorded",
            "bob",
            {
                "session_id": session.pk,
                "agenda_item_id": item.pk,
                "minutes_sha256": content_hash(text),
            },
        )


def test_it_leaves_minutes_out_of_the_case_record_until_the_review_closes(bob, north, north_case):
    session = services.review_schedule(actor=bob, team_id=north.pk, scheduled_at=WHEN)
    services.review_open(actor=bob, session_id=session.pk)
    services.review_minutes_save(
        actor=bob, session_id=session.pk, position=1, text="Draft thoughts"
    )
    assert list(case_review_minutes(north_case)) == []


def test_it_does_not_record_attendance_before_the_review_opens(carol, bob, north, north_case):
    session = services.review_schedule(actor=bob, team_id=north.pk, scheduled_at=WHEN)
    services.review_join(actor=carol, session_id=session.pk)
    assert not Attendance.objects.exists()


def test_it_lets_only_supervisors_schedule_and_only_the_facilitator_run_it(
    alice, bob, carol, north, north_case
):
    with pytest.raises(AccessDenied):
        services.review_schedule(actor=alice, team_id=north.pk, scheduled_at=WHEN)
    session = services.review_schedule(actor=bob, team_id=north.pk, scheduled_at=WHEN)
    with pytest.raises(AccessDenied):
        services.review_open(actor=carol, session_id=session.pk)
    services.review_open(actor=bob, session_id=session.pk)
    for attempt in (
        lambda u: services.review_goto(actor=u, session_id=session.pk, position=1),
        lambda u: services.review_minutes_save(
            actor=u, session_id=session.pk, position=1, text="x"
        ),
        lambda u: services.review_close(actor=u, session_id=session.pk),
    ):
        with pytest.raises(AccessDenied):
            attempt(alice)


def test_it_refuses_identifying_minutes_foreign_cases_and_bad_positions(
    bob, oscar, east, north, north_case
):
    other = case_create(actor=oscar, team_id=east.pk, title="East case")
    with pytest.raises(ValidationFailed, match="belong to the team"):
        services.review_schedule(
            actor=bob, team_id=north.pk, scheduled_at=WHEN, case_codes=[other.code]
        )
    session = services.review_schedule(actor=bob, team_id=north.pk, scheduled_at=WHEN)
    services.review_open(actor=bob, session_id=session.pk)
    with pytest.raises(IdentifierFound):
        services.review_minutes_save(
            actor=bob, session_id=session.pk, position=1, text="Call 555-123-4567"
        )
    with pytest.raises(ValidationFailed, match="no agenda item 5"):
        services.review_goto(actor=bob, session_id=session.pk, position=5)
    assert AgendaItem.objects.get(session=session).minutes == ""
