"""Role checks inside a team, over HTTP: who completes a follow-up, who pages an unanswered urgent
consult again, who changes the team's paging settings. Personas as in tests/records/world.py, plus
root: a superuser on no team, who is nobody's supervisor.

The refusals come from the services; a forbidden object answers exactly like a missing one, and
permission is decided before the de-identification guard reads any text."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from consult.accounts.models import User
from consult.oncall.models import ConsultRequest, Kind, State
from consult.records.followups.services import followup_schedule
from tests.records.world import build_world

pytestmark = pytest.mark.django_db

ROLES = ("owner", "therapist", "peer", "supervisor", "admin", "outsider", "superuser")
# "Called John Smith on 555-123-4567": a name and a phone number the guard refuses.
IDENTIFYING_NOTE = "Called John Smith on 555-123-4567"


@pytest.fixture
def world(alice, bob, carol, oscar, north, north_case):
    world = build_world(alice, bob, carol, oscar, north, north_case)
    world.users["superuser"] = User.objects.create_superuser(
        "root", password="pw-root", role="admin"
    )
    world.followup = followup_schedule(
        actor=bob, case_code=north_case.code, due_at=timezone.now() + timedelta(days=1)
    )
    world.unanswered = ConsultRequest.objects.create(
        kind=Kind.URGENT,
        team=north,
        case=north_case,
        requester=alice,
        question="Is a plan enough?",
        state=State.UNANSWERED,
        tier=3,
    )
    return world


ACTIONS = {
    "complete the owner's follow-up": (
        lambda w: f"/followups/{w.followup.pk}/complete/",
        {"note": "Called, safe for now"},
        {
            "owner": 200,
            "therapist": 403,
            "peer": 403,
            "supervisor": 200,
            "admin": 200,
            "outsider": 404,
            "superuser": 404,
        },
    ),
    "page an unanswered urgent consult again": (
        lambda w: f"/consults/{w.unanswered.pk}/repage/",
        {},
        {
            "owner": 200,
            "therapist": 403,
            "peer": 403,
            "supervisor": 200,
            "admin": 200,
            "outsider": 404,
            "superuser": 404,
        },
    ),
    "change the team's paging settings": (
        lambda w: "/oncall/",
        lambda w: {"action": "settings", "team": str(w.case.team_id), "ack_seconds": "120"},
        {
            "owner": 403,
            "therapist": 403,
            "peer": 403,
            "supervisor": 302,
            "admin": 302,
            "outsider": 403,
            "superuser": 403,
        },
    ),
}


def statuses(client, world, url, data):
    result = {}
    for role in ROLES:
        with transaction.atomic():  # each role acts on the same untouched world
            client.force_login(world.users[role])
            result[role] = client.post(url, data).status_code
            transaction.set_rollback(True)
    return result


@pytest.mark.parametrize("action", ACTIONS)
def test_it_allows_exactly_the_right_roles(client, world, action):
    url, data, expected = ACTIONS[action]
    assert statuses(client, world, url(world), data(world) if callable(data) else data) == expected


def test_it_answers_another_teams_followup_like_a_missing_one(client, world):
    client.force_login(world.users["outsider"])
    theirs = client.post(f"/followups/{world.followup.pk}/complete/", {"note": "Called, safe"})
    missing = client.post(
        f"/followups/{world.followup.pk + 1000}/complete/", {"note": "Called, safe"}
    )
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())
    assert theirs.json() == {"error": {"code": "not_found", "message": "no such follow-up"}}


@pytest.mark.parametrize("role, status", [("outsider", 404), ("peer", 403), ("owner", 400)])
def test_it_decides_permission_before_the_guard_reads_the_note(client, world, role, status):
    client.force_login(world.users[role])
    response = client.post(f"/followups/{world.followup.pk}/complete/", {"note": IDENTIFYING_NOTE})
    assert response.status_code == status
    world.followup.refresh_from_db()
    assert world.followup.completed_at is None
