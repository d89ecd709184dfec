"""A canary name and MRN hidden from a naive scanner (character references, zero-width spaces)
is refused in the room and in a form, highlighted where the writer wrote it; and a supervisor's
redaction of a confirmed false alarm reaches another member's open room at once.

alice owns the North case; bob supervises North; carol is a North peer.
"""

import pytest
from playwright.sync_api import expect

from consult.cases.models import Case, Message
from tests.browser.conftest import open_room, post

pytestmark = pytest.mark.django_db(transaction=True)

ZW = "\u200b"
BY_REFERENCE = "&#74;ohn Smith MRN &#49;234567"
BY_ZERO_WIDTH = f"J{ZW}ohn Sm{ZW}ith MRN 12{ZW}34567"


def shown(locator):
    """What a reader sees of a highlight: zero-width characters draw nothing."""
    return locator.text_content().replace(ZW, "")


@pytest.mark.parametrize(
    "canary, name, number",
    [(BY_REFERENCE, "&#74;ohn Smith", "&#49;234567"), (BY_ZERO_WIDTH, "John Smith", "1234567")],
    ids=["character-references", "zero-width"],
)
def test_a_hidden_canary_is_refused_in_the_room_and_highlighted(
    sign_in, alice, carol, north_case, canary, name, number
):
    alice_page = open_room(sign_in(alice), north_case)
    carol_page = open_room(sign_in(carol), north_case)

    post(alice_page, f"Saw {canary} today")
    panel = alice_page.get_by_test_id("deid-panel")
    expect(panel.locator("mark[data-kind=NAME]")).to_be_visible()
    assert name in shown(panel.locator("mark[data-kind=NAME]"))
    assert number in shown(panel.locator("mark[data-kind=MRN]"))
    expect(alice_page.get_by_test_id("composer-error")).to_have_attribute(
        "data-code", "identifier_found"
    )
    assert not Message.objects.exists()
    # The next, clean message is the first carol sees: the refused one never went out, late or not.
    post(alice_page, "Plan agreed with the client")
    expect(carol_page.get_by_test_id("thread")).to_contain_text("Plan agreed with the client")
    assert carol_page.locator("[data-testid=message]").count() == 1


def test_a_hidden_canary_is_refused_in_a_form_and_highlighted(sign_in, alice, north):
    page = sign_in(alice)
    page.goto("/cases/new/")
    page.fill("input[name=title]", f"{BY_REFERENCE}, panic attacks")
    page.fill("textarea[name=summary]", f"Seen with {BY_ZERO_WIDTH}.")
    page.click("main form button[type=submit]")

    findings = page.get_by_test_id("findings")
    title_marks = findings.get_by_test_id("finding-title").locator("mark")
    summary_marks = findings.get_by_test_id("finding-summary").locator("mark")
    expect(title_marks.first).to_be_visible()
    assert {shown(title_marks.nth(i)) for i in range(title_marks.count())} >= {
        "&#74;ohn Smith",
        "&#49;234567",
    }
    assert {shown(summary_marks.nth(i)) for i in range(summary_marks.count())} >= {
        "John Smith",
        "1234567",
    }
    assert not Case.objects.exists()


def test_a_redacted_false_alarm_changes_in_another_members_open_room(
    sign_in, alice, bob, carol, north_case
):
    alice_page = open_room(sign_in(alice), north_case)
    carol_page = open_room(sign_in(carol), north_case)

    post(alice_page, "Hope said she felt safer this week")
    panel = alice_page.get_by_test_id("deid-panel")
    panel.locator("input[type=checkbox]").check()
    panel.get_by_test_id("deid-confirm").click()
    thread = carol_page.get_by_test_id("thread")
    expect(thread).to_contain_text("Hope said she felt safer this week")

    bob_page = sign_in(bob)
    bob_page.get_by_test_id("nav-false-alarms").click()
    row = bob_page.get_by_test_id("false-alarm")
    expect(row.get_by_test_id("span")).to_have_text("Hope")
    row.get_by_test_id("redact").click()
    expect(bob_page.get_by_test_id("false-alarm").get_by_test_id("redacted")).to_be_visible()

    expect(thread).to_contain_text("[redacted] said she felt safer this week")
    expect(thread).not_to_contain_text("Hope")
    assert Message.objects.get().body == "[redacted] said she felt safer this week"


def test_a_form_offers_the_rooms_not_an_identifier_per_span(sign_in, alice, north):
    page = sign_in(alice)
    page.goto("/cases/new/")
    page.fill("input[name=title]", "Feeling safer")
    page.fill("textarea[name=summary]", "Hope said she felt safer this week")
    page.click("main form button[type=submit]")

    findings = page.get_by_test_id("findings")
    expect(findings.locator("mark[data-kind=NAME]")).to_have_text("Hope")
    findings.get_by_test_id("deid-confirm-summary").check()
    page.click("main form button[type=submit]")

    page.wait_for_url("**/cases/C-*/")
    assert Case.objects.get().summary == "Hope said she felt safer this week"


def test_a_consult_question_offers_the_rooms_review_panel(sign_in, alice, north_case):
    from consult.oncall.models import ConsultRequest

    page = open_room(sign_in(alice), north_case)
    page.click("[data-testid=consult-raise] summary")
    page.select_option("[data-testid=consult-kind]", "routine")
    page.fill(
        "[data-testid=consult-question]", "Hope said she felt safer this week; taper sessions?"
    )
    page.click("[data-testid=consult-submit]")

    panel = page.get_by_test_id("consult-deid-panel")
    expect(panel.locator("mark[data-kind=NAME]")).to_contain_text("Hope")
    panel.locator("input[type=checkbox]").check()
    panel.get_by_test_id("deid-confirm").click()

    expect(page.get_by_test_id("consults")).to_contain_text("Hope said she felt safer this week")
    assert (
        ConsultRequest.objects.get().question
        == "Hope said she felt safer this week; taper sessions?"
    )
