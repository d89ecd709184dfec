"""Chat basics in the browser: unread counts on the case list that fall when the room is read in
another tab, and an @mention that reaches the mentioned user on another page.

alice is a North therapist who owns the North case; bob, a North supervisor, writes in its room.
"""

import pytest
from playwright.sync_api import expect

from consult.cases.services import case_create, message_post
from tests.browser.conftest import open_room

pytestmark = pytest.mark.django_db(transaction=True)


def test_unread_counts_rise_live_and_fall_when_the_room_is_read_in_another_tab(
    sign_in, alice, bob, north_case
):
    case_list = sign_in(alice)  # lands on /cases/
    row = case_list.locator(f"tr[data-case='{north_case.code}']")
    expect(row.get_by_test_id("unread")).to_have_attribute("data-count", "0")
    case_list.wait_for_function(
        "() => document.querySelector('[data-testid=page-banner]') !== null"
    )
    bob_room = open_room(sign_in(bob), north_case)
    bob_room.fill("[data-testid=composer] textarea", "First note for the team.")
    bob_room.press("[data-testid=composer] textarea", "Enter")
    bob_room.fill("[data-testid=composer] textarea", "Second note.")
    bob_room.press("[data-testid=composer] textarea", "Enter")

    expect(row.get_by_test_id("unread")).to_have_attribute("data-count", "2")  # live, no reload
    expect(row.get_by_test_id("unread")).to_be_visible()

    other_tab = case_list.context.new_page()
    open_room(other_tab, north_case)
    expect(other_tab.get_by_test_id("message")).to_have_count(2)
    expect(row.get_by_test_id("unread")).to_have_attribute("data-count", "0")
    expect(row.get_by_test_id("unread")).to_be_hidden()
    case_list.reload()
    expect(
        case_list.locator(f"tr[data-case='{north_case.code}']").get_by_test_id("unread")
    ).to_have_attribute("data-count", "0")


def test_the_case_list_catches_up_after_a_reconnect_and_shows_a_new_case_live(
    sign_in, alice, bob, north, north_case
):
    case_list = sign_in(alice)  # lands on /cases/
    banner = case_list.get_by_test_id("page-banner")
    expect(banner).to_have_attribute("data-socket", "open")
    case_list.context.set_offline(True)
    expect(banner).not_to_have_attribute("data-socket", "open")
    for text in ("Missed while away.", "Missed too."):
        message_post(actor=bob, case_code=north_case.code, client_id=text[:10], body=text)
    case_list.context.set_offline(False)
    row = case_list.locator(f"tr[data-case='{north_case.code}']")
    expect(row.get_by_test_id("unread")).to_have_attribute("data-count", "2")  # no reload

    opened = case_create(actor=alice, team_id=north.pk, title="Adolescent, school refusal")
    message_post(actor=bob, case_code=opened.code, client_id="first-word", body="Seen her file.")
    new_row = case_list.locator(f"tr[data-case='{opened.code}']")
    expect(new_row.get_by_test_id("unread")).to_have_attribute("data-count", "1")


def test_a_mention_reaches_the_mentioned_user_on_another_page_and_opens_the_room_there(
    sign_in, alice, bob, north_case
):
    for n in range(3):
        message_post(
            actor=alice, case_code=north_case.code, client_id=f"old{n}", body=f"Earlier note {n}."
        )
    alice_page = sign_in(alice)
    alice_page.goto(f"/cases/{north_case.code}/guidance/")
    bob_room = open_room(sign_in(bob), north_case)
    expect(alice_page.get_by_test_id("page-banner")).to_be_hidden()

    bob_room.fill(
        "[data-testid=composer] textarea", "@alice can you look at the safety plan before Friday?"
    )
    bob_room.press("[data-testid=composer] textarea", "Enter")

    mention = alice_page.get_by_test_id("page-banner").get_by_test_id("mention")
    expect(mention).to_contain_text(f"Bob mentioned you in case {north_case.code}")
    expect(mention).not_to_contain_text("safety plan")  # who and where, never the text
    expect(alice_page.get_by_test_id("live-notices")).to_contain_text("Bob mentioned you")
    mention.get_by_role("link").click()
    alice_page.wait_for_url(f"**/cases/{north_case.code}/?at=4")
    expect(alice_page.locator("[data-testid=message][data-found='1']")).to_contain_text(
        "@alice can you look"
    )
    expect(
        alice_page.get_by_test_id("page-banner")
    ).to_be_hidden()  # the notice was dismissed by opening it
