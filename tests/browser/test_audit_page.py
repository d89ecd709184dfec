"""Alice talks in a case room, then opens its audit trail and finds her session on it."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_room, post

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_shows_the_session_that_just_happened(sign_in, alice, north_case):
    page = open_room(sign_in(alice), north_case)
    post(page, "Reviewed the safety plan with the client")
    expect(page.get_by_test_id("thread")).to_contain_text(
        "Reviewed the safety plan with the client"
    )

    page.get_by_test_id("link-audit").click()
    page.wait_for_url(f"**/cases/{north_case.code}/audit/")
    events = page.get_by_test_id("audit-event")
    page.wait_for_selector("[data-testid=audit-event]")
    actions = [events.nth(i).get_attribute("data-action") for i in range(events.count())]
    # Newest first. The room client may also fetch history (history.read) as it catches up.
    assert [a for a in actions if a != "history.read"] == [
        "message.posted",
        "room.joined",
        "case.viewed",
        "case.created",
    ]
    posted = page.locator("[data-testid=audit-event][data-action='message.posted']")
    expect(posted).to_contain_text("Alice")
    expect(posted).to_contain_text("seq=1")
    expect(page.get_by_test_id("audit-verdict")).to_have_attribute("data-intact", "true")

    page.select_option("[data-testid=audit-filters] select[name=action]", "room.joined")
    page.click("[data-testid=audit-filters] button")
    expect(events).to_have_count(1)
    expect(events.first).to_have_attribute("data-action", "room.joined")
    assert (
        "Reviewed the safety plan" not in page.content()
    )  # the trail holds hashes, never the text


def test_it_gives_an_outsider_nothing(sign_in, oscar, north_case):
    page = sign_in(oscar)
    response = page.goto(f"/cases/{north_case.code}/audit/")
    assert response.status == 404
    assert north_case.title not in page.content()
