"""Every save of a safety plan is a new version with exactly one audit event.

alice owns the North case; bob supervises North; carol is a North peer; oscar is outside.
"""

import pytest

from consult.audit.chain import content_hash
from consult.core.errors import AccessDenied, NotFound, ValidationFailed
from consult.deid.guard import FieldsFlagged
from consult.records.safety.models import SECTION_NAMES, SafetyPlanVersion
from consult.records.safety.services import plan_blank, safety_plan_save
from tests.support.audit import last_seq, trail

pytestmark = pytest.mark.django_db


def plan(**sections):
    return {**plan_blank(), "warning_signs": "Stops answering messages", **sections}


def test_it_saves_each_edit_as_a_new_version_with_one_audit_event(alice, bob, north_case):
    since = last_seq(north_case)
    first = safety_plan_save(actor=alice, case_code=north_case.code, sections=plan())
    second = safety_plan_save(
        actor=bob, case_code=north_case.code, sections=plan(helpers="Sister\nSchool counsellor")
    )

    assert [v.version for v in SafetyPlanVersion.objects.filter(case=north_case)] == [2, 1]
    assert (
        SafetyPlanVersion.objects.get(pk=first.pk).helpers == ""
    )  # the first version is untouched
    hashes = {name: content_hash(text) for name, text in second.sections().items()}
    assert trail(north_case, after=since) == [
        (
            "safety_plan.saved",
            "alice",
            {
                "plan_version_id": first.pk,
                "version": 1,
                "changed_sections": list(SECTION_NAMES),
                "sections_sha256": {
                    name: content_hash(text) for name, text in first.sections().items()
                },
            },
        ),
        (
            "safety_plan.saved",
            "bob",
            {
                "plan_version_id": second.pk,
                "version": 2,
                "changed_sections": ["helpers"],
                "sections_sha256": hashes,
            },
        ),
    ]


def test_it_starts_a_plan_with_the_crisis_line_and_emergency_services(alice, north_case):
    saved = safety_plan_save(actor=alice, case_code=north_case.code, sections=plan())
    assert "988" in saved.professionals and "Emergency services" in saved.professionals


def test_it_refuses_a_phone_number_in_any_section_naming_every_flagged_field(alice, north_case):
    since = last_seq(north_case)
    with pytest.raises(FieldsFlagged) as flagged:
        safety_plan_save(
            actor=alice,
            case_code=north_case.code,
            sections=plan(helpers="Sister: 555-123-4567", distractions="Cousin on 555 867 5309"),
        )
    assert [e.field for e in flagged.value.errors] == ["distractions", "helpers"]
    assert [(f.kind, f.start, f.end) for f in flagged.value.errors[1].findings] == [
        ("PHONE", 8, 20)
    ]
    assert not SafetyPlanVersion.objects.exists()
    assert trail(north_case, after=since) == []


def test_it_refuses_a_save_that_changes_nothing(alice, north_case):
    safety_plan_save(actor=alice, case_code=north_case.code, sections=plan())
    with pytest.raises(ValidationFailed, match="nothing changed"):
        safety_plan_save(
            actor=alice,
            case_code=north_case.code,
            sections=plan(warning_signs="Stops answering messages  "),
        )


def test_it_lets_only_the_owner_and_supervisors_edit(carol, oscar, north_case):
    with pytest.raises(AccessDenied):
        safety_plan_save(actor=carol, case_code=north_case.code, sections=plan())
    with pytest.raises(NotFound):
        safety_plan_save(actor=oscar, case_code=north_case.code, sections=plan())
