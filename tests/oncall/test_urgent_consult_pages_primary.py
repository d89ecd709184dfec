"""An urgent consult pages the primary on call at once; acknowledge stops it;
outsiders get nothing."""

import pytest

from consult.core.errors import AccessDenied, IdentifierFound, NotFound, ValidationFailed
from consult.oncall.consults import consult_request, page_acknowledge
from consult.oncall.models import ConsultRequest, Delivery, Page
from tests.support.audit import trail

pytestmark = pytest.mark.django_db


def test_it_pages_the_primary_with_no_clinical_text_leaving_the_app(
    alice, bob, rota, north_case, published
):
    bob.email = "bob@example.org"
    bob.save()
    consult = consult_request(
        actor=alice,
        kind="urgent",
        case_code=north_case.code,
        question="Client disclosed a plan tonight.",
        signs={"plan": True, "means": True},
    )
    page = Page.objects.get(consult=consult)
    assert (page.recipient, page.tier, consult.state, consult.tier) == (bob, 1, "paging", 1)
    page_frames = [f for g, f in published if f["type"] == "page"]
    assert published[0] == (f"user.{bob.pk}", page_frames[0])
    assert page_frames[0]["page"] == {
        "id": page.pk,
        "consult_id": consult.pk,
        "case": north_case.code,
        "urgency": "urgent",
        "tier": 1,
        "tier_label": "Primary on-call",
        "sent_at": page.sent_at.isoformat(),
        "deadline_at": consult.escalate_at.isoformat(),
        "repeat": 0,
        "seen": False,
        "url": f"/dashboard/#consult-{consult.pk}",
    }
    email = Delivery.objects.get(channel="email")
    assert email.target == "bob@example.org" and north_case.code in email.subject
    assert "plan" not in str(email.payload).lower().replace("please", "")
    assert [a[0] for a in trail(north_case)][-2:] == ["consult.requested", "page.sent"]
    assert trail(north_case)[-1][2] == {
        "consult_id": consult.pk,
        "recipient_id": bob.pk,
        "page_id": page.pk,
        "tier": 1,
        "round": 1,
    }


def test_it_tells_the_room_and_the_requester_who_acknowledged(
    alice, bob, rota, north_case, published
):
    consult = consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
    )
    published.clear()
    page_acknowledge(actor=bob, consult_id=consult.pk)
    consult.refresh_from_db()
    assert (consult.state, consult.acknowledged_by, consult.escalate_at) == (
        "acknowledged",
        bob,
        None,
    )
    assert Page.objects.get(consult=consult).closed_at is not None
    groups = {g for g, f in published if f["type"] == "consult.updated"}
    assert f"case.{north_case.pk}" in groups and f"user.{alice.pk}" in groups
    frame = published[0][1]["consult"]
    assert frame["acknowledged_by"]["username"] == "bob" and frame["state"] == "acknowledged"
    assert [a[0] for a in trail(north_case)][-2:] == [
        "page.acknowledged",
        "room.participant_added",
    ]


def test_it_refuses_a_second_acknowledgement(alice, bob, dave, rota, north_case):
    consult = consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
    )
    page_acknowledge(actor=bob, consult_id=consult.pk)
    with pytest.raises(ValidationFailed):
        page_acknowledge(actor=dave, consult_id=consult.pk)


def test_it_refuses_outsiders_and_therapists(alice, oscar, rota, north_case):
    with pytest.raises(NotFound):
        consult_request(actor=oscar, kind="urgent", case_code=north_case.code, question="x")
    consult = consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
    )
    with pytest.raises(AccessDenied):  # a refusal, not a form error (it was ValidationFailed)
        page_acknowledge(actor=alice, consult_id=consult.pk)


def test_it_guards_the_question_and_saves_nothing(alice, rota, north_case):
    with pytest.raises(IdentifierFound):
        consult_request(
            actor=alice,
            kind="urgent",
            case_code=north_case.code,
            question="John Smith, DOB 04/12/1987, said he has a gun.",
        )
    assert not ConsultRequest.objects.exists()


def test_it_refuses_a_second_urgent_consult_while_one_is_paging(alice, rota, north_case):
    consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
    )
    with pytest.raises(ValidationFailed):
        consult_request(actor=alice, kind="urgent", case_code=north_case.code, question="Again.")


def test_it_audits_support_requests_to_the_requesters_own_stream(
    alice, bob, dave, erin, rota, published
):
    consult = consult_request(
        actor=alice, kind="support", question="Rough session; need a debrief."
    )
    assert consult.case is None and consult.state == "open" and not Page.objects.exists()
    assert trail(f"user:{alice.pk}")[0][0] == "consult.requested"
    # the requester and the team's supervisors see it live; no room, no page
    assert {g for g, f in published} == {f"user.{u.pk}" for u in (alice, bob, dave, erin)}
