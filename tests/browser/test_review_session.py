"""A supervisor runs a group review through two cases with the team attending; on close, each
case's minutes appear on that case's page."""

import pytest
from playwright.sync_api import expect

from consult.cases.services import case_create
from consult.records.reviews.models import Attendance
from tests.browser.records_helpers import leave_rooms

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_runs_through_two_cases_and_files_the_minutes_on_both(
    sign_in, alice, bob, north, north_case
):
    second = case_create(
        actor=alice, team_id=north.pk, title="Adult after a loss", risk_level="moderate"
    )
    bob_page = sign_in(bob)
    bob_page.goto("/reviews/new/")
    bob_page.fill("input[name=scheduled_at]", "2025-03-04T15:00")
    bob_page.click(
        "[data-testid=review-form] button[type=submit]"
    )  # no cases ticked: every open case, highest risk first
    bob_page.get_by_test_id("open-review").click()
    expect(bob_page.get_by_test_id("current-case")).to_contain_text(
        north_case.code
    )  # high before moderate

    alice_page = sign_in(alice)
    alice_page.goto(bob_page.url)
    expect(bob_page.get_by_test_id("attendees")).to_contain_text("Alice")

    bob_page.get_by_test_id("minutes").fill("Agreed: weekly check-ins and a safety plan review")
    bob_page.get_by_test_id("next-case").click()
    expect(bob_page.get_by_test_id("current-case")).to_contain_text(second.code)
    expect(alice_page.get_by_test_id("current-case")).to_contain_text(second.code)
    bob_page.get_by_test_id("minutes").fill("Grief work continues; no new risk")
    bob_page.once("dialog", lambda dialog: dialog.accept())  # "Close the review? …"
    bob_page.get_by_test_id("close-review").click()
    expect(bob_page.get_by_test_id("review-closed")).to_contain_text("attended by Bob, Alice")
    expect(bob_page.get_by_test_id("flash")).to_have_text(
        "Review closed: the minutes are filed on each case."
    )
    # Every attendee's page reloads into the closed review; leaving before it has would race it.
    expect(alice_page.get_by_test_id("review-closed")).to_contain_text("attended by Bob, Alice")

    for case, minutes in (
        (north_case, "Agreed: weekly check-ins"),
        (second, "Grief work continues"),
    ):
        alice_page.goto(f"/cases/{case.code}/")
        expect(alice_page.get_by_test_id("review-minutes")).to_contain_text(minutes)
    assert set(Attendance.objects.values_list("user__username", flat=True)) == {"bob", "alice"}
    leave_rooms(alice_page, bob_page)
