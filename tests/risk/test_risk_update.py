"""Changing a case's risk picture: a new version, exactly one audit event, and a frame.

alice owns the North case; bob supervises North; carol is a North peer; oscar is outside.
"""

import pytest

from consult.audit.chain import content_hash
from consult.cases.models import Case
from consult.core.errors import AccessDenied, IdentifierFound, NotFound, ValidationFailed
from consult.records.risk.models import RiskAssessment
from consult.records.risk.services import risk_update
from tests.support.audit import last_seq, trail

pytestmark = pytest.mark.django_db


def update(actor, case, **changes):
    fields = {
        "level": "imminent",
        "signs": ["plan", "hopelessness"],
        "protective_factors": "Close to her sister",
        "reason": "Disclosed a plan in session",
    }
    return risk_update(actor=actor, case_code=case.code, **{**fields, **changes})


def test_it_records_a_version_and_exactly_one_audit_event(alice, north_case):
    since = last_seq(north_case)
    change = update(alice, north_case)

    assert change.from_level == "high" and change.prompts_urgent_consult
    assert Case.objects.get(pk=north_case.pk).risk_level == "imminent"
    assessment = RiskAssessment.objects.get(case=north_case)
    assert (assessment.version, assessment.signs, assessment.author) == (
        1,
        ["hopelessness", "plan"],
        alice,
    )
    assert trail(north_case, after=since) == [
        (
            "case.risk_changed",
            "alice",
            {
                "assessment_id": assessment.pk,
                "version": 1,
                "from_level": "high",
                "to_level": "imminent",
                "signs_added": ["hopelessness", "plan"],
                "signs_removed": [],
                "protective_factors_changed": True,
                "reason_sha256": content_hash("Disclosed a plan in session"),
            },
        )
    ]


def test_it_names_the_signs_that_changed_and_keeps_every_version(alice, bob, north_case):
    update(alice, north_case)
    since = last_seq(north_case)
    change = update(
        bob,
        north_case,
        level="moderate",
        signs=["hopelessness", "means"],
        reason="Means removed? No: found",
    )

    assert not change.prompts_urgent_consult  # a fall never prompts
    assert [a.version for a in RiskAssessment.objects.filter(case=north_case)] == [2, 1]
    [(action, actor, payload)] = trail(north_case, after=since)
    assert (action, actor) == ("case.risk_changed", "bob")
    assert (payload["from_level"], payload["to_level"]) == ("imminent", "moderate")
    assert (payload["signs_added"], payload["signs_removed"]) == (["means"], ["plan"])
    assert payload["protective_factors_changed"] is False


def test_it_prompts_an_urgent_consult_only_on_a_rise_to_high_or_imminent(alice, north_case):
    assert not update(alice, north_case, level="low").prompts_urgent_consult
    assert not update(alice, north_case, level="moderate").prompts_urgent_consult
    assert update(alice, north_case, level="high").prompts_urgent_consult
    assert update(alice, north_case, level="imminent").prompts_urgent_consult


def test_it_lets_only_the_owner_and_supervisors_change_risk(carol, oscar, north_case):
    with pytest.raises(AccessDenied):
        update(carol, north_case)
    with pytest.raises(NotFound):
        update(oscar, north_case)
    assert not RiskAssessment.objects.exists()


def test_it_refuses_identifiers_a_missing_reason_and_a_change_of_nothing(alice, north_case):
    since = last_seq(north_case)
    with pytest.raises(IdentifierFound) as flagged:
        update(alice, north_case, reason="Her sister called from 555-123-4567")
    assert flagged.value.field == "reason"
    with pytest.raises(ValidationFailed, match="say why"):
        update(alice, north_case, reason="  ")
    with pytest.raises(ValidationFailed, match="unknown warning sign"):
        update(alice, north_case, signs=["sadness"])
    update(alice, north_case)
    with pytest.raises(ValidationFailed, match="nothing changed"):
        update(alice, north_case, reason="Same again")
    assert len(trail(north_case, after=since)) == 1
