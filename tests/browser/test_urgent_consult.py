"""A therapist raises an urgent consult from the case room; the on-call supervisor's dashboard
rings within a second; he acknowledges and is taken into the room; she sees who answered, live.

alice is a North therapist who owns the case; bob is a North supervisor, primary on call now.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consult.audit.models import AuditEvent
from consult.oncall.models import Shift
from tests.browser.conftest import open_room

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_pages_the_on_call_supervisor_and_shows_the_therapist_who_acknowledged(
    sign_in, alice, bob, north, north_case
):
    Shift.objects.create(
        team=north,
        supervisor=bob,
        tier=1,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    bob_page = sign_in(bob)
    bob_page.goto("/dashboard/")
    expect(bob_page.get_by_test_id("connection")).to_have_attribute("data-state", "open")
    alice_page = open_room(sign_in(alice), north_case)

    alice_page.click("[data-testid=consult-raise] summary")
    alice_page.select_option("[data-testid=consult-kind]", "urgent")
    alice_page.fill(
        "[data-testid=consult-question]", "Client disclosed a plan tonight; what do I do now?"
    )
    alice_page.check("input[name=plan]")
    alice_page.click("[data-testid=consult-submit]")

    page = bob_page.get_by_test_id("page")
    expect(page).to_be_visible(timeout=1000)
    expect(page).to_contain_text(north_case.code)
    expect(alice_page.get_by_test_id("consult-state")).to_contain_text("Paging")

    page.get_by_test_id("page-acknowledge").click()
    bob_page.wait_for_url(f"**/cases/{north_case.code}/")
    expect(alice_page.get_by_test_id("acknowledged-by")).to_contain_text("Bob acknowledged at")
    expect(alice_page.get_by_test_id("presence")).to_contain_text("Bob")
    actions = list(AuditEvent.objects.filter(case=north_case).values_list("action", flat=True))
    assert "page.acknowledged" in actions and "room.participant_added" in actions
