"""Consults, page declines, resolutions, follow-up notes and review minutes take the same
"this is not an identifier" as the room and the forms, audited the same way.

alice owns the North case; bob supervises North (primary on call); oscar is outside.
"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from consult.audit.chain import content_hash
from consult.audit.models import AuditEvent
from consult.deid.guard import Confirmation
from consult.oncall.models import ConsultRequest, Page
from consult.records.followups.services import followup_schedule
from consult.records.reviews.models import AgendaItem
from consult.records.reviews.services import review_minutes_save, review_open, review_schedule

pytestmark = pytest.mark.django_db

FALSE_ALARM = "Hope said she felt safer this week"
SPAN = {"start": 0, "end": 4, "kind": "NAME"}


def confirmed():
    return [
        (e.actor.username, e.payload)
        for e in AuditEvent.objects.filter(action="deid.false_alarm_confirmed").select_related(
            "actor"
        )
    ]


def confirming(field):
    return json.dumps({field: [SPAN]})


def consult(client, case, **extra):
    return client.post(
        "/consults/new/", {"kind": "routine", "case": case.code, "question": FALSE_ALARM, **extra}
    )


def test_a_consult_question_is_refused_then_sent_once_its_span_is_confirmed(
    client, alice, north_case
):
    client.force_login(alice)
    refused = consult(client, north_case)
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"question": [SPAN]}

    sent = consult(client, north_case, confirmations=confirming("question"))
    assert sent.status_code == 201
    request = ConsultRequest.objects.get()
    assert confirmed() == [
        (
            "alice",
            {
                "consult_id": request.pk,
                "field": "question",
                **SPAN,
                "text_sha256": content_hash(FALSE_ALARM),
            },
        )
    ]


def test_a_confirmation_for_the_wrong_field_or_malformed_confirms_nothing(
    client, alice, north_case
):
    client.force_login(alice)
    assert consult(client, north_case, confirmations=confirming("signs_note")).status_code == 400
    bad = consult(client, north_case, confirmations="[not json")
    assert (bad.status_code, bad.json()["error"]["code"], bad.json()["error"]["field"]) == (
        400,
        "invalid_field",
        "confirmations",
    )
    shape = consult(client, north_case, confirmations=json.dumps({"question": [{"start": "0"}]}))
    assert shape.json()["error"]["field"] == "confirmations"
    assert not ConsultRequest.objects.exists() and confirmed() == []


def test_a_resolution_outcome_takes_confirmations(client, alice, bob, north_case):
    client.force_login(alice)
    consult(client, north_case, question="How do I pace the next session?")
    request = ConsultRequest.objects.get()
    client.force_login(bob)
    url = f"/consults/{request.pk}/resolve/"
    assert client.post(url, {"outcome": FALSE_ALARM}).status_code == 400
    assert (
        client.post(
            url, {"outcome": FALSE_ALARM, "confirmations": confirming("outcome")}
        ).status_code
        == 200
    )
    assert confirmed() == [
        (
            "bob",
            {
                "consult_id": request.pk,
                "field": "outcome",
                **SPAN,
                "text_sha256": content_hash(FALSE_ALARM),
            },
        )
    ]


def test_a_decline_reason_takes_confirmations(client, alice, bob, north, north_case):
    from consult.oncall.models import Shift, TeamPagingSettings

    now = timezone.now()
    Shift.objects.create(
        team=north,
        supervisor=bob,
        tier=1,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    TeamPagingSettings.objects.create(team=north, ack_seconds=180)
    client.force_login(alice)
    consult(client, north_case, kind="urgent", question="Client disclosed a plan")
    page = Page.objects.get(recipient=bob)
    client.force_login(bob)
    url = f"/pages/{page.pk}/decline/"
    assert client.post(url, {"reason": FALSE_ALARM}).status_code == 400
    assert (
        client.post(url, {"reason": FALSE_ALARM, "confirmations": confirming("reason")}).status_code
        == 200
    )
    assert confirmed() == [
        (
            "bob",
            {
                "page_id": page.pk,
                "field": "reason",
                **SPAN,
                "text_sha256": content_hash(FALSE_ALARM),
            },
        )
    ]


def test_a_follow_up_note_takes_confirmations(client, alice, north_case):
    followup = followup_schedule(actor=alice, case_code=north_case.code, due_at=timezone.now())
    client.force_login(alice)
    url = f"/followups/{followup.pk}/complete/"
    assert client.post(url, {"note": FALSE_ALARM}).status_code == 400
    assert (
        client.post(url, {"note": FALSE_ALARM, "confirmations": confirming("note")}).status_code
        == 200
    )
    assert confirmed() == [
        (
            "alice",
            {
                "followup_id": followup.pk,
                "field": "note",
                **SPAN,
                "text_sha256": content_hash(FALSE_ALARM),
            },
        )
    ]


def test_review_minutes_take_confirmations_and_land_on_the_cases_trail(bob, north, north_case):
    session = review_schedule(
        actor=bob, team_id=north.pk, scheduled_at=timezone.now(), case_codes=[north_case.code]
    )
    review_open(actor=bob, session_id=session.pk)
    review_minutes_save(
        actor=bob,
        session_id=session.pk,
        position=1,
        text=FALSE_ALARM,
        confirmations=(Confirmation(**SPAN),),
    )
    item = AgendaItem.objects.get()
    assert item.minutes == FALSE_ALARM
    event = AuditEvent.objects.get(action="deid.false_alarm_confirmed")
    assert (event.case_id, event.payload) == (
        north_case.pk,
        {
            "agenda_item_id": item.pk,
            "field": "minutes",
            **SPAN,
            "text_sha256": content_hash(FALSE_ALARM),
        },
    )
