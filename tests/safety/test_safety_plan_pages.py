"""The safety plan's pages: the edit form shows flagged spans, versions compare side by side,
print view."""

import pytest

from consult.records.safety.models import SafetyPlanVersion
from consult.records.safety.services import plan_blank, safety_plan_save

pytestmark = pytest.mark.django_db


def form(**sections):
    return {**plan_blank(), "warning_signs": "Stops answering messages", **sections}


def test_it_shows_the_writer_the_flagged_phone_number_and_saves_nothing(client, alice, north_case):
    client.force_login(alice)
    response = client.post(
        f"/cases/{north_case.code}/safety-plan/edit/", form(helpers="Sister on 555-123-4567")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="field-error-helpers"' in page
    assert (
        'data-testid="finding-helpers"' in page
        and '<mark data-kind="PHONE">555-123-4567</mark>' in page
    )
    assert not SafetyPlanVersion.objects.exists()


def test_it_compares_two_versions_line_by_line(client, alice, north_case):
    safety_plan_save(actor=alice, case_code=north_case.code, sections=form(helpers="Sister"))
    safety_plan_save(
        actor=alice, case_code=north_case.code, sections=form(helpers="Sister\nSchool counsellor")
    )
    client.force_login(alice)
    page = client.get(f"/cases/{north_case.code}/safety-plan/compare/?a=2&b=1").content.decode()
    assert "Safety plan: version 1 and version 2" in page
    assert '<tr class="diff-added">' in page and "School counsellor" in page
    assert client.get(f"/cases/{north_case.code}/safety-plan/compare/?a=1&b=9").status_code == 404


def test_it_prints_a_version_without_the_apps_chrome(client, carol, alice, north_case):
    safety_plan_save(actor=alice, case_code=north_case.code, sections=form())
    client.force_login(carol)
    page = client.get(f"/cases/{north_case.code}/safety-plan/v1/print/").content.decode()
    assert "css/print.css" in page and 'class="topbar"' not in page
    assert "Stops answering messages" in page
