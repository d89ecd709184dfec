"""A refusal is a refusal, whatever else is wrong with the request: 403 or 404, never a 400.

These came back as 400 before: a member who may not change the risk picture sending an
incomplete form; a therapist acknowledging a consult page, or a peer resolving someone else's
consult; the services, asked by someone who may not act, with text that would not pass, said
what was wrong with the text first; the emergency-access page, refusing a stale code or a code
that names no case. Personas as in tests/records/world.py; olga supervises East.
"""

import pytest

from consult.cases.services import case_update
from consult.core.errors import AccessDenied
from consult.emergency.models import EmergencyGrant
from consult.oncall.models import ConsultRequest, Kind, State
from consult.records.guidance.services import guidance_log
from consult.records.risk.services import risk_update
from consult.records.safety.services import safety_plan_save
from tests.records.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice, bob, carol, oscar, north, north_case):
    world = build_world(alice, bob, carol, oscar, north, north_case)
    world.consult = ConsultRequest.objects.create(
        kind=Kind.ROUTINE,
        team=north,
        case=north_case,
        requester=alice,
        question="Is a plan enough?",
        state=State.OPEN,
    )
    return world


def test_an_incomplete_risk_form_from_a_member_who_may_not_change_it_is_refused(client, world):
    client.force_login(world.users["peer"])
    assert client.post(f"/cases/{world.case.code}/risk/", {}).status_code == 403


@pytest.mark.parametrize(
    "role, url",
    [("therapist", "/consults/{pk}/ack/"), ("peer", "/consults/{pk}/resolve/")],
)
def test_answering_a_consult_one_may_not_answer_is_refused(client, world, role, url):
    client.force_login(world.users[role])
    response = client.post(url.format(pk=world.consult.pk), {"outcome": "Agreed a plan"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    world.consult.refresh_from_db()
    assert world.consult.state == State.OPEN


@pytest.mark.parametrize(
    "change",
    [
        lambda who, code: case_update(actor=who, case_code=code, title="", reason=""),
        lambda who, code: risk_update(
            actor=who, case_code=code, level="nonsense", signs=[], protective_factors="", reason=""
        ),
        lambda who, code: safety_plan_save(actor=who, case_code=code, sections={}),
        lambda who, code: guidance_log(actor=who, case_code=code, assessment="", recommendation=""),
    ],
    ids=["case", "risk", "safety plan", "guidance"],
)
def test_a_service_refuses_before_it_reads_the_text(world, change):
    with pytest.raises(AccessDenied):
        change(world.users["peer"], world.case.code)


def test_the_emergency_page_answers_an_unknown_case_with_404_and_says_so(client, olga):
    client.force_login(olga)
    response = client.post(
        "/emergency-access/", {"case": "C-ZZZZZ", "reason": "Unreachable owner, tonight"}
    )
    assert response.status_code == 404 and b"no such case" in response.content
    assert not EmergencyGrant.objects.exists()
