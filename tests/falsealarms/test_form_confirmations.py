"""Every form the guard can refuse offers the room's "this is not an identifier", span by span,
audited the room's way (kind, offsets and a hash of the field: never the text).

alice owns the North case; bob supervises North.
"""

import pytest

from consult.audit.chain import content_hash
from consult.audit.models import AuditEvent
from consult.cases.models import Case
from consult.records.guidance.models import GuidanceEntry
from consult.records.risk.models import RiskAssessment
from consult.records.safety.models import SafetyPlanVersion

pytestmark = pytest.mark.django_db

FALSE_ALARM = "Hope said she felt safer this week"  # "Hope" is flagged as a NAME
SPAN = {"start": 0, "end": 4, "kind": "NAME"}
TICK = "{field}:0:4:NAME"


def case_new(north, case):
    return (
        "/cases/new/",
        {"team": north.pk, "title": "Panic attacks", "summary": FALSE_ALARM, "risk_level": "low"},
        "summary",
        lambda: ("case_id", Case.objects.exclude(pk=case.pk).get().pk),
    )


def case_edit(north, case):
    return (
        f"/cases/{case.code}/edit/",
        {"title": case.title, "summary": FALSE_ALARM, "status": "open", "reason": "new detail"},
        "summary",
        lambda: ("case_id", case.pk),
    )


def risk(north, case):
    return (
        f"/cases/{case.code}/risk/",
        {"level": "high", "protective_factors": FALSE_ALARM, "reason": "session"},
        "protective_factors",
        lambda: ("assessment_id", RiskAssessment.objects.get().pk),
    )


def safety_plan(north, case):
    return (
        f"/cases/{case.code}/safety-plan/edit/",
        {"warning_signs": FALSE_ALARM},
        "warning_signs",
        lambda: ("plan_version_id", SafetyPlanVersion.objects.get().pk),
    )


def guidance(north, case):
    return (
        f"/cases/{case.code}/guidance/",
        {"assessment": FALSE_ALARM, "recommendation": "weekly", "session_minutes": 30},
        "assessment",
        lambda: ("entry_id", GuidanceEntry.objects.get().pk),
    )


FORMS = [case_new, case_edit, risk, safety_plan, guidance]


def confirmations():
    return [
        (e.actor.username, e.payload)
        for e in AuditEvent.objects.filter(action="deid.false_alarm_confirmed").select_related(
            "actor"
        )
    ]


@pytest.mark.parametrize("form", FORMS, ids=[f.__name__ for f in FORMS])
def test_it_saves_once_the_writer_confirms_each_flagged_span_and_audits_who_confirmed_what(
    client, bob, north, north_case, form
):
    url, data, field, record = form(north, north_case)
    client.force_login(bob)
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert refused.context["flagged"] == {field: [{**SPAN, "text": "Hope"}]}
    assert f'value="{TICK.format(field=field)}"' in refused.content.decode()

    saved = client.post(url, {**data, "deid_confirm": TICK.format(field=field)})
    assert saved.status_code == 302
    key, record_id = record()
    assert confirmations() == [
        ("bob", {key: record_id, "field": field, **SPAN, "text_sha256": content_hash(FALSE_ALARM)})
    ]


@pytest.mark.parametrize("form", FORMS, ids=[f.__name__ for f in FORMS])
def test_a_tick_for_another_span_or_kind_confirms_nothing(client, bob, north, north_case, form):
    url, data, field, _ = form(north, north_case)
    client.force_login(bob)
    for tick in (
        f"{field}:0:3:NAME",
        f"{field}:0:4:PHONE",
        "other:0:4:NAME",
        "garbage",
        f"{field}:0:4:",
    ):
        response = client.post(url, {**data, "deid_confirm": tick})
        assert response.status_code == 400
        assert response.context["flagged"] == {field: [{**SPAN, "text": "Hope"}]}
    assert confirmations() == []


def test_a_refused_form_keeps_the_ticks_already_given(client, alice, north):
    client.force_login(alice)
    data = {
        "team": north.pk,
        "title": "Hope is better",
        "summary": "Call 617-555-0143",
        "risk_level": "low",
    }
    response = client.post("/cases/new/", {**data, "deid_confirm": "title:0:4:NAME"})
    assert response.context["flagged"] == {
        "summary": [{"start": 5, "end": 17, "kind": "PHONE", "text": "617-555-0143"}]
    }
    assert (
        '<input type="hidden" name="deid_confirm" value="title:0:4:NAME">'
        in response.content.decode()
    )
    assert not Case.objects.exists()
