"""Turnaround per team: request → acknowledgement and request → first guidance entry."""

from datetime import timedelta

import pytest

from consult.dashboard.selectors import turnaround
from consult.oncall.consults import consult_request, page_acknowledge
from consult.oncall.models import ConsultRequest
from consult.records.guidance.models import GuidanceEntry
from consult.records.guidance.services import guidance_log

pytestmark = pytest.mark.django_db


def test_it_measures_time_to_acknowledgement_and_to_first_guidance(
    alice, bob, rota, north, north_case, published
):
    consult = consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
    )
    page_acknowledge(actor=bob, consult_id=consult.pk)
    for _ in range(2):  # only the first entry counts
        guidance_log(
            actor=bob,
            case_code=north_case.code,
            assessment="Acute risk.",
            recommendation="Review the safety plan this week.",
            consult_id=consult.pk,
        )
    requested = ConsultRequest.objects.get(pk=consult.pk).created_at
    ConsultRequest.objects.filter(pk=consult.pk).update(
        acknowledged_at=requested + timedelta(seconds=90)
    )
    first, second = GuidanceEntry.objects.filter(consult=consult).order_by("pk")
    GuidanceEntry.objects.filter(pk=first.pk).update(created_at=requested + timedelta(seconds=600))
    GuidanceEntry.objects.filter(pk=second.pk).update(created_at=requested + timedelta(seconds=900))

    figures = turnaround(north.pk)
    assert figures["requests"] == 1
    assert figures["acknowledgement"] == {"count": 1, "median": 90.0, "p90": 90.0}
    assert figures["first_guidance"] == {"count": 1, "median": 600.0, "p90": 600.0}
