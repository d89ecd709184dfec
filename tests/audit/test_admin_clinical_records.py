"""Django admin shows clinical records but cannot change them,
and each showing is a read on the trail.

root is a superuser with the admin role (tests/conftest.py gives it an authenticator, as every
admin has); alice owns the North case, asks a consult on it and bob schedules a follow-up.
"""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.utils import timezone

from consult.accounts.models import Role, User
from consult.oncall.consults import consult_request
from consult.oncall.models import ConsultRequest
from consult.records.followups.models import FollowUp
from consult.records.followups.services import followup_complete, followup_schedule
from tests.support.audit import trail

pytestmark = pytest.mark.django_db

# Models whose rows carry clinical text: never registered, or registered read-only.
CLINICAL_MODELS = [
    "cases.Case",
    "cases.Message",
    "followups.FollowUp",
    "oncall.ConsultRequest",
    "oncall.Page",
    "guidance.GuidanceEntry",
    "safety.SafetyPlanVersion",
    "reviews.ReviewSession",
    "reviews.AgendaItem",
    "risk.RiskAssessment",
    "emergency.EmergencyGrant",
]


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password="pw-root", role=Role.ADMIN)


@pytest.fixture
def followup(bob, north_case):
    followup = followup_schedule(
        actor=bob, case_code=north_case.code, due_at=timezone.now() + timedelta(days=1)
    )
    followup_complete(actor=bob, followup_id=followup.pk, note="Client safe, agreed plan holds.")
    return FollowUp.objects.get(pk=followup.pk)


@pytest.fixture
def consult(alice, bob, north_case):
    return consult_request(
        actor=alice, kind="routine", case_code=north_case.code, question="How to pace exposure?"
    )


def change_form(followup):
    return {
        "case": followup.case_id,
        "owner": followup.owner_id,
        "due_at_0": "2030-01-01",
        "due_at_1": "10:00:00",
        "created_by": followup.created_by_id,
        "source": followup.source,
        "note": "Rewritten by admin: Maria Lopez",
    }


def test_a_follow_up_note_cannot_be_changed_in_admin(client, root, followup):
    client.force_login(root)
    response = client.post(
        f"/admin/followups/followup/{followup.pk}/change/", change_form(followup)
    )
    assert response.status_code == 403
    assert FollowUp.objects.get(pk=followup.pk).note == "Client safe, agreed plan holds."


def test_a_consult_question_cannot_be_changed_in_admin(client, root, consult):
    client.force_login(root)
    response = client.post(
        f"/admin/oncall/consultrequest/{consult.pk}/change/",
        {
            "question": "Rewritten: Maria Lopez",
            "kind": consult.kind,
            "state": consult.state,
            "team": consult.team_id,
            "requester": consult.requester_id,
            "tier": consult.tier,
            "round": consult.round,
        },
    )
    assert response.status_code == 403
    assert ConsultRequest.objects.get(pk=consult.pk).question == "How to pace exposure?"


def test_nothing_clinical_can_be_added_or_deleted_in_admin(client, root, followup, consult):
    client.force_login(root)
    assert client.get("/admin/followups/followup/add/").status_code == 403
    assert (
        client.post(f"/admin/followups/followup/{followup.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert (
        client.post(
            f"/admin/oncall/consultrequest/{consult.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        FollowUp.objects.filter(pk=followup.pk).exists()
        and ConsultRequest.objects.filter(pk=consult.pk).exists()
    )


def test_every_clinical_model_is_absent_from_admin_or_read_only(rf, root):
    request = rf.get("/admin/")
    request.user = root
    for label in CLINICAL_MODELS:
        model_admin = admin.site._registry.get(apps.get_model(label))
        if model_admin is not None:
            assert not (
                model_admin.has_add_permission(request)
                or model_admin.has_change_permission(request)
                or model_admin.has_delete_permission(request)
            ), label


def test_opening_a_clinical_record_in_admin_is_a_read_on_the_case_trail(
    client, root, followup, north_case
):
    before = len(trail(north_case))
    client.force_login(root)
    page = client.get(f"/admin/followups/followup/{followup.pk}/change/")
    assert page.status_code == 200 and b"Client safe" in page.content
    assert trail(north_case)[before:] == [
        ("case.viewed", "root", {"page": "admin", "model": "followup", "object_id": followup.pk})
    ]
