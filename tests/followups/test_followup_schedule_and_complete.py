"""Scheduling and completing follow-up check-ins.

alice owns the North case; bob supervises North; oscar (East) is an outsider who gets nothing.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from consult.audit.models import AuditEvent
from consult.core.errors import IdentifierFound, NotFound, ValidationFailed
from consult.records.followups.models import FollowUp
from consult.records.followups.services import followup_complete, followup_schedule

pytestmark = pytest.mark.django_db


def test_it_schedules_a_followup_for_the_case_owner(bob, alice, north_case):
    due = timezone.now() + timedelta(days=2)
    followup = followup_schedule(actor=bob, case_code=north_case.code, due_at=due)
    assert (followup.owner, followup.created_by, followup.source, followup.due_at) == (
        alice,
        bob,
        "manual",
        due,
    )
    event = AuditEvent.objects.filter(case=north_case).last()
    assert event.action == "followup.scheduled"
    assert event.payload == {
        "followup_id": followup.pk,
        "owner_id": alice.pk,
        "due_at": due.isoformat(),
        "source": "manual",
        "source_id": None,
    }


def test_it_records_where_a_followup_came_from(bob, north_case):
    followup = followup_schedule(
        actor=bob, case_code=north_case.code, due_at=timezone.now(), source="guidance", source_id=42
    )
    assert (followup.source, followup.source_id) == ("guidance", 42)


def test_it_completes_a_followup_with_a_note_hashed_in_the_trail(alice, north_case):
    followup = followup_schedule(actor=alice, case_code=north_case.code, due_at=timezone.now())
    followup_complete(
        actor=alice, followup_id=followup.pk, note="Checked in; safety plan reviewed."
    )
    followup.refresh_from_db()
    assert followup.completed_by == alice and followup.completed_at is not None
    event = AuditEvent.objects.filter(case=north_case).last()
    assert event.action == "followup.completed"
    assert set(event.payload) == {"followup_id", "note_sha256"}


def test_it_refuses_a_note_with_identifiers_and_saves_nothing(alice, north_case):
    followup = followup_schedule(actor=alice, case_code=north_case.code, due_at=timezone.now())
    with pytest.raises(IdentifierFound):
        followup_complete(
            actor=alice, followup_id=followup.pk, note="Called John Smith at 555-867-5309."
        )
    assert FollowUp.objects.get(pk=followup.pk).completed_at is None


def test_it_refuses_completing_twice(alice, north_case):
    followup = followup_schedule(actor=alice, case_code=north_case.code, due_at=timezone.now())
    followup_complete(actor=alice, followup_id=followup.pk, note="done")
    with pytest.raises(ValidationFailed):
        followup_complete(actor=alice, followup_id=followup.pk, note="again")


def test_it_gives_outsiders_nothing(alice, oscar, north_case):
    with pytest.raises(NotFound):
        followup_schedule(actor=oscar, case_code=north_case.code, due_at=timezone.now())
    followup = followup_schedule(actor=alice, case_code=north_case.code, due_at=timezone.now())
    with pytest.raises(NotFound):
        followup_complete(actor=oscar, followup_id=followup.pk, note="x")


def test_it_refuses_a_naive_due_date(alice, north_case):
    with pytest.raises(ValidationFailed):
        followup_schedule(
            actor=alice, case_code=north_case.code, due_at=timezone.now().replace(tzinfo=None)
        )
