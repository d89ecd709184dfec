"""The second line of defence: a supervisor redacts a span the writer confirmed was not an
identifier. The stored text reads [redacted] there, the rooms are told, the trail records it
(hashes and offsets only) and still verifies; the original is kept nowhere.

alice owns the North case (therapist); bob supervises North; carol is a North peer;
olga supervises East: an outsider to every North case.
"""

import json

import pytest
from django.core.management import call_command

from consult.audit.chain import content_hash
from consult.audit.models import AuditEvent
from consult.cases.models import Case, Message
from consult.cases.services import case_update, message_post
from consult.core.errors import AccessDenied, NotFound, ValidationFailed
from consult.deid.guard import Confirmation
from consult.falsealarms.services import false_alarm_redact, false_alarms_for
from consult.records.safety.models import SafetyPlanVersion
from consult.records.safety.services import safety_plan_save

pytestmark = pytest.mark.django_db

BODY = "Hope said Grace was kind"
HOPE, GRACE = Confirmation(0, 4, "NAME"), Confirmation(10, 15, "NAME")


@pytest.fixture
def published(monkeypatch):
    frames = []
    monkeypatch.setattr(
        "consult.falsealarms.records.publish_on_commit",
        lambda group, frame: frames.append((group, frame)),
    )
    return frames


@pytest.fixture
def confirmed_message(flags_names, alice, north_case):
    message_post(
        actor=alice,
        case_code=north_case.code,
        client_id="c1",
        body=BODY,
        confirmations=[HOPE, GRACE],
    )
    return Message.objects.get(case=north_case, client_id="c1")


def confirmation_of(start):
    return AuditEvent.objects.get(action="deid.false_alarm_confirmed", payload__start=start)


def test_a_supervisor_sees_who_confirmed_what_and_where(confirmed_message, bob, north_case):
    alarms = false_alarms_for(actor=bob)
    assert [
        (a.event.actor.username, a.case.code, a.where, a.field, a.kind, a.shown, a.can_redact)
        for a in alarms
    ] == [
        ("alice", north_case.code, f"message #{confirmed_message.seq}", "body", "NAME", shown, True)
        for shown in ("Grace", "Hope")
    ]
    assert (
        AuditEvent.objects.filter(
            action="case.viewed", actor=bob, payload={"page": "false_alarms"}
        ).count()
        == 1
    )


def test_it_redacts_a_confirmed_span_and_keeps_the_original_nowhere(
    confirmed_message, bob, north_case, published
):
    grace = confirmation_of(10)
    false_alarm_redact(actor=bob, confirmation_id=grace.pk)

    message = Message.objects.get(pk=confirmed_message.pk)
    assert message.body == "Hope said [redacted] was kind"
    assert message.body_html == "<p>Hope said [redacted] was kind</p>"
    assert message.deid_confirmations == [{"start": 0, "end": 4, "kind": "NAME"}]
    assert AuditEvent.objects.filter(action="deid.redacted").get().payload == {
        "message_id": message.pk,
        "field": "body",
        "confirmation_id": grace.pk,
        "kind": "NAME",
        "start": 10,
        "end": 15,
        "from_sha256": content_hash(BODY),
        "to_sha256": content_hash(message.body),
    }
    assert published == [
        (
            f"case.{north_case.pk}",
            {"type": "message.redacted", "seq": message.seq, "html": message.body_html},
        )
    ]
    trail = json.dumps(list(AuditEvent.objects.values_list("payload", flat=True)))
    assert "Grace" not in trail
    call_command("audit_verify")  # raises CommandError on a broken chain


def test_a_later_redaction_finds_its_span_after_an_earlier_one_moved_it(confirmed_message, bob):
    false_alarm_redact(actor=bob, confirmation_id=confirmation_of(0).pk)
    false_alarm_redact(actor=bob, confirmation_id=confirmation_of(10).pk)
    message = Message.objects.get(pk=confirmed_message.pk)
    assert message.body == "[redacted] said [redacted] was kind"
    assert message.deid_confirmations == []
    assert [a.redacted for a in false_alarms_for(actor=bob)] == [True, True]


def test_it_refuses_to_redact_twice(confirmed_message, bob):
    false_alarm_redact(actor=bob, confirmation_id=confirmation_of(0).pk)
    with pytest.raises(ValidationFailed, match="already redacted"):
        false_alarm_redact(actor=bob, confirmation_id=confirmation_of(0).pk)


def test_it_refuses_to_redact_anything_that_was_not_confirmed(confirmed_message, bob):
    posted = AuditEvent.objects.get(action="message.posted")
    with pytest.raises(ValidationFailed, match="only a span confirmed"):
        false_alarm_redact(actor=bob, confirmation_id=posted.pk)
    assert Message.objects.get(pk=confirmed_message.pk).body == BODY


def test_members_who_do_not_supervise_cannot_see_or_redact(confirmed_message, alice, carol):
    for member in (alice, carol):
        with pytest.raises(AccessDenied):
            false_alarms_for(actor=member)
        with pytest.raises(AccessDenied):
            false_alarm_redact(actor=member, confirmation_id=confirmation_of(0).pk)
    assert Message.objects.get(pk=confirmed_message.pk).body == BODY


def test_an_outsider_supervisor_finds_nothing(confirmed_message, olga):
    assert false_alarms_for(actor=olga) == []
    with pytest.raises(NotFound):
        false_alarm_redact(actor=olga, confirmation_id=confirmation_of(0).pk)


def test_a_text_edited_since_its_confirmation_is_not_cut(
    flags_names, alice, bob, north, north_case
):
    case_update(
        actor=alice,
        case_code=north_case.code,
        summary="Grace was calmer",
        reason="update",
        confirmations={"summary": [Confirmation(0, 5, "NAME")]},
    )
    confirmation = AuditEvent.objects.get(action="deid.false_alarm_confirmed")
    case_update(
        actor=alice,
        case_code=north_case.code,
        summary="Withdrawn again; Grace absent",
        reason="update",
        confirmations={"summary": [Confirmation(17, 22, "NAME")]},
    )
    with pytest.raises(ValidationFailed, match="changed since"):
        false_alarm_redact(actor=bob, confirmation_id=confirmation.pk)
    assert Case.objects.get(pk=north_case.pk).summary == "Withdrawn again; Grace absent"


def test_a_record_version_is_redacted_in_place_and_the_room_told(
    flags_names, alice, bob, north_case, published
):
    safety_plan_save(
        actor=alice,
        case_code=north_case.code,
        sections={"helpers": "Call Grace, my neighbour"},
        confirmations={"helpers": [Confirmation(5, 10, "NAME")]},
    )
    plan = SafetyPlanVersion.objects.get()
    false_alarm_redact(
        actor=bob, confirmation_id=AuditEvent.objects.get(action="deid.false_alarm_confirmed").pk
    )
    assert SafetyPlanVersion.objects.get(pk=plan.pk).helpers == "Call [redacted], my neighbour"
    assert published == [
        (
            f"case.{north_case.pk}",
            {
                "type": "record.redacted",
                "case": north_case.code,
                "record": "plan_version_id",
                "id": plan.pk,
                "field": "helpers",
            },
        )
    ]


def test_the_page_lists_and_redacts_for_supervisors_only(
    client, confirmed_message, alice, bob, olga
):
    client.force_login(alice)
    assert client.get("/false-alarms/").status_code == 403
    assert client.post(f"/false-alarms/{confirmation_of(0).pk}/redact/").status_code == 403
    client.force_login(olga)
    assert client.post(f"/false-alarms/{confirmation_of(0).pk}/redact/").status_code == 404
    assert client.post("/false-alarms/999999/redact/").status_code == 404

    client.force_login(bob)
    page = client.get("/false-alarms/")
    assert page.status_code == 200 and page.content.decode().count('data-testid="redact"') == 2
    assert client.post(f"/false-alarms/{confirmation_of(0).pk}/redact/").status_code == 302
    posted = AuditEvent.objects.get(action="message.posted")
    refused = client.post(f"/false-alarms/{posted.pk}/redact/", follow=True)
    assert "only a span confirmed as a false alarm can be redacted" in refused.content.decode()
    assert Message.objects.get(pk=confirmed_message.pk).body == "[redacted] said Grace was kind"


def test_a_span_of_a_text_the_app_never_shows_is_listed_without_its_text(
    flags_names, alice, bob, north, north_case
):
    from datetime import timedelta

    from django.utils import timezone

    from consult.oncall.consults import consult_request, page_decline
    from consult.oncall.models import Page, Shift, TeamPagingSettings

    now = timezone.now()
    Shift.objects.create(
        team=north,
        supervisor=bob,
        tier=1,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    TeamPagingSettings.objects.create(team=north, ack_seconds=180)
    consult_request(
        actor=alice, kind="urgent", question="Client disclosed a plan", case_code=north_case.code
    )
    page_decline(
        actor=bob,
        page_id=Page.objects.get(recipient=bob).pk,
        reason="Seeing Grace now",
        confirmations=(Confirmation(7, 12, "NAME"),),
    )
    [alarm] = false_alarms_for(actor=bob)
    assert (alarm.where.endswith("(declined)"), alarm.shown, alarm.can_redact) == (True, None, True)
    false_alarm_redact(actor=bob, confirmation_id=alarm.event.pk)
    assert Page.objects.get(recipient=bob).decline_reason == "Seeing [redacted] now"
