"""The guidance log: supervisors write, the owner acknowledges, amendments are new versions.

bob supervises North; alice owns the North case; carol is a North peer; oscar is outside.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from consult.audit.chain import content_hash
from consult.core.errors import AccessDenied, IdentifierFound, NotFound, ValidationFailed
from consult.records.followups.models import FollowUp
from consult.records.guidance.models import GuidanceEntry
from consult.records.guidance.selectors import guidance_entries
from consult.records.guidance.services import guidance_acknowledge, guidance_amend, guidance_log
from tests.support.audit import last_seq, trail

pytestmark = pytest.mark.django_db

GUIDANCE = {
    "assessment": "Risk is high but the client engages",
    "recommendation": "Weekly sessions",
    "actions": "Review the safety plan together",
}


def hashes(assessment, recommendation, actions):
    return {
        "assessment_sha256": content_hash(assessment),
        "recommendation_sha256": content_hash(recommendation),
        "actions_sha256": content_hash(actions),
    }


def test_it_logs_an_entry_with_exactly_one_audit_event(bob, north_case):
    since = last_seq(north_case)
    entry = guidance_log(actor=bob, case_code=north_case.code, **GUIDANCE)
    assert (entry.number, entry.version, entry.author, entry.followup) == (1, 1, bob, None)
    assert trail(north_case, after=since) == [
        (
            "guidance.logged",
            "bob",
            {
                "entry_id": entry.pk,
                "number": 1,
                "version": 1,
                "consult_id": None,
                "followup_id": None,
                "follow_up_due": None,
                "session_minutes": 30,
                **hashes(*GUIDANCE.values()),
            },
        )
    ]


def test_it_turns_a_follow_up_due_date_into_a_check_in_for_the_owner(alice, bob, north_case):
    due = timezone.localdate() + timedelta(days=3)
    since = last_seq(north_case)
    entry = guidance_log(
        actor=bob, case_code=north_case.code, follow_up_due=due, session_minutes=45, **GUIDANCE
    )

    followup = FollowUp.objects.get()
    assert (followup.case, followup.owner, followup.source, followup.source_id) == (
        north_case,
        alice,
        "guidance",
        entry.pk,
    )
    assert timezone.localtime(followup.due_at).date() == due
    assert [
        (action, payload.get("followup_id"))
        for action, _, payload in trail(north_case, after=since)
    ] == [("followup.scheduled", followup.pk), ("guidance.logged", followup.pk)]


def test_it_amends_by_adding_a_version_and_keeps_the_old_one(bob, north_case):
    first = guidance_log(actor=bob, case_code=north_case.code, **GUIDANCE)
    since = last_seq(north_case)
    amended = guidance_amend(
        actor=bob,
        case_code=north_case.code,
        entry_id=first.pk,
        **{**GUIDANCE, "recommendation": "Twice-weekly sessions"},
    )

    assert GuidanceEntry.objects.get(pk=first.pk).recommendation == "Weekly sessions"
    assert (amended.number, amended.version, amended.replaces_id) == (1, 2, first.pk)
    assert [
        (current.pk, [o.pk for o in older]) for current, older in guidance_entries(north_case)
    ] == [(amended.pk, [first.pk])]
    assert trail(north_case, after=since) == [
        (
            "guidance.amended",
            "bob",
            {
                "entry_id": amended.pk,
                "number": 1,
                "version": 2,
                "consult_id": None,
                "followup_id": None,
                "follow_up_due": None,
                "session_minutes": 30,
                "replaces_id": first.pk,
                **hashes(GUIDANCE["assessment"], "Twice-weekly sessions", GUIDANCE["actions"]),
            },
        )
    ]
    with pytest.raises(ValidationFailed, match="amend the latest"):
        guidance_amend(actor=bob, case_code=north_case.code, entry_id=first.pk, **GUIDANCE)


def test_it_records_the_owners_acknowledgement_once(alice, bob, north_case):
    entry = guidance_log(actor=bob, case_code=north_case.code, **GUIDANCE)
    since = last_seq(north_case)
    guidance_acknowledge(actor=alice, case_code=north_case.code, entry_id=entry.pk)
    guidance_acknowledge(actor=alice, case_code=north_case.code, entry_id=entry.pk)
    assert trail(north_case, after=since) == [
        ("guidance.acknowledged", "alice", {"entry_id": entry.pk, "number": 1, "version": 1})
    ]


def test_it_lets_only_supervisors_log_and_only_the_owner_acknowledge(
    alice, bob, carol, oscar, north_case
):
    for outsider_or_not_supervisor, error in (
        (alice, AccessDenied),
        (carol, AccessDenied),
        (oscar, NotFound),
    ):
        with pytest.raises(error):
            guidance_log(actor=outsider_or_not_supervisor, case_code=north_case.code, **GUIDANCE)
    entry = guidance_log(actor=bob, case_code=north_case.code, **GUIDANCE)
    for not_owner, error in ((bob, AccessDenied), (carol, AccessDenied), (oscar, NotFound)):
        with pytest.raises(error):
            guidance_acknowledge(actor=not_owner, case_code=north_case.code, entry_id=entry.pk)


def test_it_refuses_identifiers_missing_fields_and_past_follow_ups(bob, north_case):
    with pytest.raises(IdentifierFound) as flagged:
        guidance_log(
            actor=bob,
            case_code=north_case.code,
            **{**GUIDANCE, "actions": "Phone mum on 555-123-4567"},
        )
    assert flagged.value.field == "actions"
    with pytest.raises(ValidationFailed, match="recommendation is required"):
        guidance_log(actor=bob, case_code=north_case.code, **{**GUIDANCE, "recommendation": " "})
    with pytest.raises(ValidationFailed, match="in the past"):
        guidance_log(
            actor=bob, case_code=north_case.code, follow_up_due=date(2020, 1, 1), **GUIDANCE
        )
    assert not GuidanceEntry.objects.exists()
