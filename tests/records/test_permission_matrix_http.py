"""Every role × every records action over HTTP. Refusals come from the domain layer: the same
services the pages call raise AccessDenied (403) or NotFound (404, outsiders learn nothing)."""

import pytest
from django.db import transaction

from tests.records.world import build_world

pytestmark = pytest.mark.django_db

ROLES = ("owner", "therapist", "peer", "supervisor", "admin", "outsider")
MEMBERS = {
    "owner": 200,
    "therapist": 200,
    "peer": 200,
    "supervisor": 200,
    "admin": 200,
    "outsider": 404,
}
EDITORS = {
    "owner": 302,
    "therapist": 403,
    "peer": 403,
    "supervisor": 302,
    "admin": 302,
    "outsider": 404,
}
SUPERVISORS = {
    "owner": 403,
    "therapist": 403,
    "peer": 403,
    "supervisor": 302,
    "admin": 302,
    "outsider": 404,
}
GUIDANCE = {"assessment": "Engaged", "recommendation": "Twice weekly", "session_minutes": "30"}


def c(w):
    return f"/cases/{w.case.code}"


# action → (method, url, form data, expected status per role)
ACTIONS = {
    "view case room": ("get", lambda w: f"{c(w)}/", None, MEMBERS),
    "view risk": ("get", lambda w: f"{c(w)}/risk/", None, MEMBERS),
    "change risk": (
        "post",
        lambda w: f"{c(w)}/risk/",
        {"level": "imminent", "reason": "Plan disclosed"},
        EDITORS,
    ),
    "view safety plan": ("get", lambda w: f"{c(w)}/safety-plan/", None, MEMBERS),
    "compare plan versions": (
        "get",
        lambda w: f"{c(w)}/safety-plan/compare/?a=1&b=2",
        None,
        MEMBERS,
    ),
    "print safety plan": ("get", lambda w: f"{c(w)}/safety-plan/v2/print/", None, MEMBERS),
    "open plan editor": (
        "get",
        lambda w: f"{c(w)}/safety-plan/edit/",
        None,
        {**EDITORS, "owner": 200, "supervisor": 200, "admin": 200},
    ),
    "save safety plan": (
        "post",
        lambda w: f"{c(w)}/safety-plan/edit/",
        {"warning_signs": "Withdraws"},
        EDITORS,
    ),
    "view guidance": ("get", lambda w: f"{c(w)}/guidance/", None, MEMBERS),
    "view records panel": ("get", lambda w: f"{c(w)}/guidance/panel/", None, MEMBERS),
    "log guidance": ("post", lambda w: f"{c(w)}/guidance/", GUIDANCE, SUPERVISORS),
    "amend guidance": (
        "post",
        lambda w: f"{c(w)}/guidance/{w.entry.pk}/amend/",
        GUIDANCE,
        SUPERVISORS,
    ),
    "acknowledge guidance": (
        "post",
        lambda w: f"{c(w)}/guidance/{w.entry.pk}/ack/",
        {},
        {
            "owner": 302,
            "therapist": 403,
            "peer": 403,
            "supervisor": 403,
            "admin": 403,
            "outsider": 404,
        },
    ),
    "list reviews": ("get", lambda w: "/reviews/", None, {**MEMBERS, "outsider": 200}),
    "schedule review": (
        "post",
        lambda w: "/reviews/new/",
        lambda w: {
            "team": str(w.case.team_id),
            "scheduled_at": "2025-03-04T15:00",
            "planned_minutes": "60",
        },
        {**SUPERVISORS, "outsider": 403},
    ),
    "view review": ("get", lambda w: f"/reviews/{w.live.pk}/", None, MEMBERS),
    "start review": (
        "post",
        lambda w: f"/reviews/{w.scheduled.pk}/open/",
        {},
        {**SUPERVISORS, "admin": 403},
    ),  # only its facilitator (bob)
    "own supervision hours": (
        "get",
        lambda w: "/supervision-hours/",
        None,
        {**MEMBERS, "outsider": 200},
    ),
    "owner's hours CSV": (
        "get",
        lambda w: f"/supervision-hours/{w.users['owner'].pk}.csv",
        None,
        {
            "owner": 200,
            "therapist": 403,
            "peer": 403,
            "supervisor": 200,
            "admin": 200,
            "outsider": 404,
        },
    ),
}


@pytest.fixture
def world(alice, bob, carol, oscar, north, north_case):
    return build_world(alice, bob, carol, oscar, north, north_case)


@pytest.mark.parametrize("action", ACTIONS)
def test_it_allows_exactly_the_right_roles(client, world, action):
    method, url, data, expected = ACTIONS[action]
    data = data(world) if callable(data) else data
    statuses = {}
    for role in ROLES:
        with transaction.atomic():  # each role acts on the same untouched world
            client.force_login(world.users[role])
            response = client.post(url(world), data) if method == "post" else client.get(url(world))
            statuses[role] = response.status_code
            if response.status_code == 404:
                assert world.case.title not in response.content.decode()
            transaction.set_rollback(True)
    assert statuses == expected
