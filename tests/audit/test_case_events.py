"""Creating, editing, closing and viewing a case each leave exactly one event: hashes,
never text."""

import pytest

from consult.audit.chain import content_hash
from consult.cases.models import Case
from consult.cases.services import case_create, case_edit, case_set_status, case_update, case_view
from consult.core.errors import AccessDenied, IdentifierFound, NotFound, ValidationFailed
from tests.support.audit import last_seq, trail

pytestmark = pytest.mark.django_db


def test_it_records_a_new_case_with_hashes_of_its_text(alice, north):
    case = case_create(
        actor=alice,
        team_id=north.pk,
        title="Grief after a loss",
        summary="Sleeping badly.",
        risk_level="low",
    )
    assert trail(case, seq=True) == [
        (
            1,
            "case.created",
            "alice",
            {
                "team_id": north.pk,
                "owner_id": alice.pk,
                "risk_level": "low",
                "title_sha256": content_hash("Grief after a loss"),
                "summary_sha256": content_hash("Sleeping badly."),
            },
        )
    ]


def test_it_records_an_edit_with_before_and_after_hashes_and_the_reason_hash(alice, north_case):
    before = last_seq(north_case)
    case_update(
        actor=alice,
        case_code=north_case.code,
        title="Teen, self-harm easing",
        reason="Update after review",
    )
    assert trail(north_case, after=before, seq=True) == [
        (
            before + 1,
            "case.edited",
            "alice",
            {
                "changes": {
                    "title": {
                        "from": content_hash("Teen with escalating self-harm"),
                        "to": content_hash("Teen, self-harm easing"),
                    }
                },
                "reason_sha256": content_hash("Update after review"),
            },
        )
    ]
    assert Case.objects.get(pk=north_case.pk).title == "Teen, self-harm easing"


def test_it_records_a_status_change_with_from_to_and_the_reason_hash(bob, north_case):
    before = last_seq(north_case)
    case_set_status(
        actor=bob, case_code=north_case.code, status="monitoring", reason="Stable for two weeks"
    )
    assert trail(north_case, after=before, seq=True) == [
        (
            before + 1,
            "case.status_changed",
            "bob",
            {
                "from": "open",
                "to": "monitoring",
                "reason_sha256": content_hash("Stable for two weeks"),
            },
        )
    ]


def test_it_records_text_and_status_of_one_form_as_two_events_in_one_go(alice, north_case):
    before = last_seq(north_case)
    case_edit(
        actor=alice,
        case_code=north_case.code,
        title=north_case.title,
        summary="Calmer now.",
        status="closed",
        reason="Closing",
    )
    assert [(action, actor) for action, actor, _ in trail(north_case, after=before)] == [
        ("case.edited", "alice"),
        ("case.status_changed", "alice"),
    ]


def test_it_records_who_opened_the_case_page(carol, north_case):
    before = last_seq(north_case)
    case_view(actor=carol, case_code=north_case.code)
    assert trail(north_case, after=before, seq=True) == [
        (before + 1, "case.viewed", "carol", {"page": "room"})
    ]


def test_it_lets_only_the_owner_and_supervisors_change_a_case(carol, oscar, north_case):
    before = last_seq(north_case)
    with pytest.raises(AccessDenied):
        case_set_status(
            actor=carol, case_code=north_case.code, status="closed", reason="peer tries"
        )
    with pytest.raises(NotFound):
        case_update(
            actor=oscar, case_code=north_case.code, title="Outsider edit", reason="outsider tries"
        )
    with pytest.raises(NotFound):
        case_view(actor=oscar, case_code=north_case.code)
    # the outsider's refused read is on the trail; nothing was changed or viewed
    assert [action for action, _, _ in trail(north_case, after=before)] == ["access.denied"]


def test_it_refuses_identifiers_in_the_reason_and_records_nothing(alice, north_case):
    before = last_seq(north_case)
    with pytest.raises(IdentifierFound):
        case_set_status(
            actor=alice, case_code=north_case.code, status="closed", reason="Maria Lopez moved away"
        )
    with pytest.raises(ValidationFailed):
        case_update(actor=alice, case_code=north_case.code, title="New title", reason="  ")
    with pytest.raises(ValidationFailed):
        case_update(
            actor=alice, case_code=north_case.code, title=north_case.title, reason="no change"
        )
    assert last_seq(north_case) == before
    assert Case.objects.get(pk=north_case.pk).status == "open"
