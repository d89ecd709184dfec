"""A page reaches the on-call supervisor on whatever page he has open, not only the Dashboard.

alice is a North therapist who owns both North cases; bob is a North supervisor, primary on call
now. bob reads the OTHER case (its room, or its guidance log) when alice raises an urgent consult.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consult.cases.services import case_create
from consult.oncall.models import Shift
from tests.browser.conftest import open_room

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def other_case(alice, north):
    return case_create(actor=alice, team_id=north.pk, title="Adult with sleep problems")


@pytest.fixture
def bob_on_call(bob, north):
    return Shift.objects.create(
        team=north,
        supervisor=bob,
        tier=1,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=1),
    )


def raise_urgent_consult(page):
    page.click("[data-testid=consult-raise] summary")
    page.select_option("[data-testid=consult-kind]", "urgent")
    page.fill(
        "[data-testid=consult-question]", "Client disclosed a plan tonight; what do I do now?"
    )
    page.click("[data-testid=consult-submit]")


@pytest.mark.parametrize("bob_reads", ["room", "guidance"])
def test_it_shows_the_page_as_a_banner_over_another_case_and_takes_him_to_the_right_room(
    sign_in, alice, bob, bob_on_call, north_case, other_case, bob_reads
):
    bob_page = sign_in(bob)
    if bob_reads == "room":
        open_room(bob_page, other_case)
    else:
        bob_page.goto(f"/cases/{other_case.code}/guidance/")
    alice_page = open_room(sign_in(alice), north_case)
    expect(bob_page.get_by_test_id("page-banner")).to_be_hidden()

    raise_urgent_consult(alice_page)

    banner = bob_page.get_by_test_id("page-banner")
    card = banner.get_by_test_id("page")
    expect(card).to_be_visible(timeout=2000)
    expect(card).to_contain_text(f"URGENT consult on case {north_case.code}")
    expect(card).to_contain_text("primary on-call")
    expect(card.get_by_test_id("countdown")).to_contain_text("escalates in")
    expect(bob_page.get_by_test_id("live-pages")).to_contain_text(f"case {north_case.code}")
    assert bob_page.title().startswith("(1) Page waiting")
    expect(bob_page.locator("#alert-banner-title")).to_be_focused()

    card.get_by_test_id("page-acknowledge").click()
    bob_page.wait_for_url(f"**/cases/{north_case.code}/")
    expect(bob_page.get_by_test_id("connection")).to_have_attribute("data-state", "open")
    expect(bob_page.get_by_test_id("page-banner")).to_be_hidden()
    assert "Page waiting" not in bob_page.title()
    expect(alice_page.get_by_test_id("acknowledged-by")).to_contain_text("Bob acknowledged at")


def test_it_does_not_offer_notifications_again_once_answered(sign_in, alice, north_case):
    page = sign_in(alice)
    page.goto("/cases/")
    expect(page.get_by_test_id("alerts-offer")).to_be_visible()
    page.get_by_test_id("alerts-later").click()
    expect(page.get_by_test_id("alerts-offer")).to_have_count(0)
    page.goto(f"/cases/{north_case.code}/guidance/")
    page.wait_for_load_state("load")
    expect(page.get_by_test_id("page-banner")).to_be_attached()  # the notifier ran on this page
    expect(page.get_by_test_id("alerts-offer")).to_have_count(0)


def test_a_support_request_shows_on_a_supervisors_open_page_and_the_requester_sees_who_took_it(
    sign_in, alice, bob, north_case, other_case
):
    bob_page = open_room(sign_in(bob), other_case)
    alice_page = sign_in(alice)
    alice_page.goto("/dashboard/")
    alice_page.click("details.card summary")
    alice_page.select_option("[data-testid=consult-kind]", "support")
    alice_page.fill(
        "[data-testid=consult-question]", "Rough session; could someone debrief with me?"
    )
    alice_page.click("[data-testid=consult-submit]")
    expect(alice_page.get_by_test_id("consult-state")).to_contain_text("Waiting for a supervisor")
    alice_page.goto(f"/cases/{north_case.code}/")  # she moves on; the answer must still reach her
    expect(alice_page.get_by_test_id("page-banner")).to_have_attribute("data-socket", "open")

    request = bob_page.get_by_test_id("page-banner").get_by_test_id("support-request")
    expect(request).to_contain_text("Support request from Alice (North)", timeout=2000)
    expect(request).not_to_contain_text("debrief")  # the question stays in the consult card
    request.get_by_test_id("support-take").click()
    bob_page.wait_for_url("**/dashboard/#consult-*")
    expect(bob_page.get_by_test_id("acknowledged-by")).to_contain_text("Bob took it at")

    taken = alice_page.get_by_test_id("page-banner").get_by_test_id("support-taken")
    expect(taken).to_contain_text("Bob took your support request at")


def test_a_requester_away_when_her_support_request_was_taken_is_told_once_she_is_back(
    sign_in, alice, bob
):
    from consult.oncall.consults import consult_request, page_acknowledge

    consult = consult_request(
        actor=alice, kind="support", question="Hard day; need to talk it through."
    )
    page_acknowledge(actor=bob, consult_id=consult.pk)  # no tab of hers is open

    page = sign_in(alice)
    taken = page.get_by_test_id("page-banner").get_by_test_id("support-taken")
    expect(taken).to_contain_text("Bob took your support request at")
    taken.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_test_id("page-banner")).to_be_hidden()
    page.reload()
    expect(page.get_by_test_id("page-banner")).to_have_attribute("data-socket", "open")
    expect(page.get_by_test_id("support-taken")).to_have_count(0)  # told once, not on every page
