"""After nobody answered, the therapist adds what is new and pages again in one step.

alice (North therapist) raised an urgent consult about her case; bob (primary), dave (backup) and
erin (the rest of the team) were paged and nobody acknowledged. carol is a North peer: neither
the requester nor a supervisor. oscar (East) is an outsider.
"""

import pytest

from consult.core.errors import AccessDenied, NotFound, ValidationFailed
from consult.deid.guard import FieldsFlagged
from consult.oncall.consults import consult_repage, consult_request
from consult.oncall.models import ConsultRequest, Page
from consult.oncall.scheduler import escalate_due
from tests.oncall.test_escalation_steps import later
from tests.support.audit import trail

pytestmark = pytest.mark.django_db


@pytest.fixture
def unanswered(alice, rota, north_case):
    consult = consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
    )
    for _ in range(3):
        escalate_due(later(consult))
    consult.refresh_from_db()
    assert consult.state == "unanswered"
    return consult


def test_it_adds_the_new_facts_and_pages_the_primary_again(
    alice, bob, unanswered, north_case, published
):
    published.clear()
    consult = consult_repage(
        actor=alice,
        consult_id=unanswered.pk,
        facts="Client now says tonight.",
        signs={"intent": True},
    )
    consult.refresh_from_db()
    assert (consult.state, consult.round, consult.tier, consult.intent) == ("paging", 2, 1, True)
    assert (
        consult.question
        == "Need help now.\n\nAdded when paging again (round 2): Client now says tonight."
    )
    assert Page.objects.get(consult=consult, round=2).recipient == bob
    [updated] = [
        f for g, f in published if f["type"] == "consult.updated" and g == f"user.{bob.pk}"
    ]
    assert (
        "Client now says tonight." in updated["consult"]["question"]
    )  # what the paged supervisor reads
    [repaged] = [a for a in trail(north_case) if a[0] == "consult.repaged"]
    assert repaged[1] == "alice"
    assert set(repaged[2]) == {
        "consult_id",
        "round",
        "added_signs",
        "facts_sha256",
        "signs_note_sha256",
    }
    assert repaged[2]["added_signs"] == ["intent"] and "tonight" not in str(repaged[2])


def test_a_new_urgent_request_on_the_case_pages_the_unanswered_one_again(
    alice, bob, unanswered, north_case
):
    consult = consult_request(
        actor=alice,
        kind="urgent",
        case_code=north_case.code,
        question="Client has left the session.",
        signs={"plan": True},
    )
    assert consult.pk == unanswered.pk and ConsultRequest.objects.count() == 1
    consult.refresh_from_db()
    assert (consult.state, consult.round, consult.plan) == ("paging", 2, True)
    assert consult.question.endswith("(round 2): Client has left the session.")


def test_it_still_refuses_a_second_urgent_consult_while_one_is_paging(alice, rota, north_case):
    consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
    )
    with pytest.raises(ValidationFailed, match="paging the on-call right now"):
        consult_request(actor=alice, kind="urgent", case_code=north_case.code, question="Again.")


def test_it_refuses_identifiers_in_the_new_facts_and_changes_nothing(alice, unanswered):
    with pytest.raises(FieldsFlagged):
        consult_repage(
            actor=alice, consult_id=unanswered.pk, facts="John Smith, DOB 04/12/1987, has a gun."
        )
    unanswered.refresh_from_db()
    assert (unanswered.state, unanswered.round, unanswered.question) == (
        "unanswered",
        1,
        "Need help now.",
    )


def test_only_the_requester_or_a_supervisor_pages_again(carol, oscar, bob, unanswered):
    with pytest.raises(AccessDenied):
        consult_repage(actor=carol, consult_id=unanswered.pk, facts="x")
    with pytest.raises(NotFound):
        consult_repage(actor=oscar, consult_id=unanswered.pk, facts="x")
    assert consult_repage(actor=bob, consult_id=unanswered.pk).state == "paging"


def test_the_view_takes_facts_in_one_post(client, alice, unanswered):
    client.force_login(alice)
    response = client.post(
        f"/consults/{unanswered.pk}/repage/", {"facts": "She called back, calmer.", "means": "on"}
    )
    assert response.status_code == 200
    body = response.json()["consult"]
    assert body["state"] == "paging" and body["signs"]["means"] is True
    assert body["question"].endswith("She called back, calmer.")
