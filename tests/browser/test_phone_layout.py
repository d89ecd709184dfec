"""On a phone: the navigation is a Menu button, the room shows the thread and composer first with
the records folded, and a check-in is completed or scheduled with a question first and a short
message after.

alice is a North therapist who owns the case; she has a check-in due tomorrow.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consult.records.followups.models import FollowUp
from consult.records.followups.services import followup_schedule
from tests.browser.records_helpers import leave_rooms

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def test_the_menu_opens_from_a_button(sign_in, alice):
    page = sign_in(alice)
    page.set_viewport_size(PHONE)
    dashboard_link = page.get_by_test_id("nav-dashboard")
    toggle = page.get_by_test_id("nav-toggle")
    expect(dashboard_link).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert dashboard_link.bounding_box()["height"] >= 44  # a touch target
    dashboard_link.click()
    page.wait_for_url("**/dashboard/")
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.get_by_test_id("nav-toggle")).to_be_hidden()
    expect(page.get_by_test_id("nav-dashboard")).to_be_visible()  # a desktop has no menu button
    leave_rooms(page)


def test_the_room_puts_the_conversation_first(sign_in, alice, north_case):
    page = sign_in(alice)
    page.set_viewport_size(PHONE)
    page.goto(f"/cases/{north_case.code}/")
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "open")
    composer = page.get_by_test_id("composer").bounding_box()
    assert composer["y"] + composer["height"] < page.locator("#consult-panel").bounding_box()["y"]
    expect(page.get_by_test_id("records-fold")).not_to_have_attribute("open", "")
    page.get_by_text("Guidance and review minutes").click()
    expect(page.get_by_test_id("no-guidance")).to_be_visible()
    leave_rooms(page)


def test_a_check_in_is_confirmed_and_reported(sign_in, alice, north_case):
    followup_schedule(
        actor=alice, case_code=north_case.code, due_at=timezone.now() + timedelta(days=1)
    )
    page = sign_in(alice)
    page.set_viewport_size(PHONE)
    page.goto("/dashboard/")
    check_in = page.get_by_test_id("my-followups").locator("[data-followup]")
    check_in.get_by_label("Note on the check-in").fill("Spoke by phone; plan holds")
    page.once("dialog", lambda dialog: dialog.dismiss())  # "Mark the check-in … as done?" — not yet
    check_in.get_by_role("button", name="Mark done").click()
    expect(check_in).to_be_visible()
    assert FollowUp.objects.get().completed_at is None

    page.once("dialog", lambda dialog: dialog.accept())
    check_in.get_by_role("button", name="Mark done").click()
    expect(page.get_by_test_id("flash")).to_have_text(f"Check-in on {north_case.code} marked done.")
    expect(check_in).to_have_count(0)
    assert FollowUp.objects.get().completed_at is not None

    page.get_by_label("Due").fill("2030-01-01T09:00")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_test_id("flash")).to_have_text(f"Check-in on {north_case.code} scheduled.")
    assert FollowUp.objects.filter(completed_at__isnull=True).count() == 1
    leave_rooms(page)
