"""A supervisor logs guidance; the therapist sees it arrive live in the case room and acknowledges
it; an amendment keeps both versions readable."""

import pytest
from playwright.sync_api import expect

from consult.records.guidance.models import Acknowledgement, GuidanceEntry
from tests.browser.conftest import open_room
from tests.browser.records_helpers import leave_rooms

pytestmark = pytest.mark.django_db(transaction=True)


def log_guidance(page, case, *, assessment, recommendation, actions=""):
    page.goto(f"/cases/{case.code}/guidance/")
    page.fill("textarea[name=assessment]", assessment)
    page.fill("textarea[name=recommendation]", recommendation)
    page.fill("textarea[name=actions]", actions)
    page.click("[data-testid=log-guidance]")


def test_it_shows_guidance_live_and_records_the_acknowledgement(sign_in, alice, bob, north_case):
    alice_room = open_room(sign_in(alice), north_case)
    expect(alice_room.get_by_test_id("no-guidance")).to_be_visible()

    bob_page = sign_in(bob)
    log_guidance(
        bob_page,
        north_case,
        assessment="Risk is high; the client engages",
        recommendation="Weekly sessions and a safety plan review",
        actions="Remove access to means",
    )

    entry = alice_room.get_by_test_id("guidance-entry")
    expect(entry).to_contain_text("Weekly sessions and a safety plan review")  # live, no reload
    expect(entry.get_by_test_id("unacknowledged")).to_be_visible()
    entry.get_by_test_id("acknowledge").click()
    expect(alice_room.get_by_test_id("acknowledged")).to_contain_text("acknowledged by Alice")
    assert Acknowledgement.objects.get().user == alice
    leave_rooms(alice_room, bob_page)


def test_it_keeps_both_versions_after_an_amendment(sign_in, alice, bob, north_case):
    bob_page = sign_in(bob)
    log_guidance(bob_page, north_case, assessment="Engaged", recommendation="Weekly sessions")
    bob_page.get_by_test_id("amend").click()
    bob_page.fill(
        "textarea[name=recommendation]", "Twice-weekly sessions until the plan is in place"
    )
    bob_page.click("[data-testid=save-amendment]")

    alice_page = sign_in(alice)
    alice_page.goto(f"/cases/{north_case.code}/guidance/")
    current = alice_page.locator("[data-testid=guidance-entry][data-version='2']")
    expect(current).to_contain_text("Twice-weekly sessions until the plan is in place")
    expect(current).to_contain_text("amends version 1")
    alice_page.get_by_test_id("older-versions").locator("summary").click()
    first = alice_page.locator("[data-testid=guidance-entry][data-version='1']")
    expect(first).to_contain_text("Weekly sessions")
    expect(first.get_by_test_id("superseded")).to_be_visible()
    assert GuidanceEntry.objects.count() == 2
    leave_rooms(alice_page, bob_page)
