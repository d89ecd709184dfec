"""The therapist writes the safety plan, edits it twice, and compares two versions side by side;
a phone number is refused with the flagged span shown."""

import pytest
from playwright.sync_api import expect

from consult.records.safety.models import SafetyPlanVersion
from tests.browser.records_helpers import leave_rooms

pytestmark = pytest.mark.django_db(transaction=True)


def save_plan(page, case, **sections):
    page.goto(f"/cases/{case.code}/safety-plan/edit/")
    for name, text in sections.items():
        page.fill(f"textarea[name={name}]", text)
    page.click("[data-testid=save-plan]")


def test_it_keeps_every_version_and_compares_two(sign_in, alice, north_case):
    page = sign_in(alice)
    save_plan(page, north_case, warning_signs="Stops answering messages", helpers="Sister")
    expect(page.get_by_test_id("plan-version")).to_contain_text("Version 1")
    expect(page.get_by_test_id("plan-professionals")).to_contain_text("988")  # there by default
    save_plan(page, north_case, helpers="Sister\nSchool counsellor")
    save_plan(page, north_case, reasons_for_living="Her dog\nFinishing school")
    expect(page.get_by_test_id("plan-version")).to_contain_text("Version 3")
    expect(page.get_by_test_id("plan-version-row")).to_have_count(3)

    page.locator("input[name=a][value='1']").check()
    page.locator("input[name=b][value='3']").check()
    page.get_by_test_id("compare").click()
    helpers = page.get_by_test_id("diff-helpers")
    expect(helpers.locator("tr.diff-added [data-testid=diff-right]")).to_have_text(
        "School counsellor"
    )
    expect(page.get_by_test_id("diff-reasons_for_living").locator("tr.diff-added")).to_have_count(2)
    expect(page.get_by_test_id("diff-warning_signs")).to_contain_text("(unchanged)")
    assert list(SafetyPlanVersion.objects.values_list("version", flat=True)) == [3, 2, 1]
    leave_rooms(page)


def test_it_refuses_a_phone_number_and_shows_the_flagged_span(sign_in, alice, north_case):
    page = sign_in(alice)
    save_plan(
        page, north_case, warning_signs="Stops answering messages", helpers="Sister on 555-123-4567"
    )
    expect(page.get_by_test_id("finding-helpers")).to_contain_text("555-123-4567")
    expect(page.get_by_test_id("field-error-helpers")).to_be_visible()
    assert not SafetyPlanVersion.objects.exists()
    leave_rooms(page)
