"""A therapist writes a client's name and number, sees them flagged, redacts in one click, posts."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from consult.audit.models import AuditEvent
from consult.cases.models import Case, Message
from tests.browser.conftest import open_room, post

pytestmark = pytest.mark.django_db(transaction=True)

NAME, NUMBER = "Maria Lopez", "555-201-3344"


def test_it_highlights_identifiers_and_redacts_them_in_one_click(
    sign_in, alice, bob, north_case, live_servers
):
    alice_page = open_room(sign_in(alice), north_case)
    bob_page = open_room(sign_in(bob), north_case)

    post(alice_page, f"Call her sister {NAME} at {NUMBER} tonight")
    panel = alice_page.get_by_test_id("deid-panel")
    expect(panel.locator("mark[data-kind=NAME]")).to_contain_text(NAME)
    expect(panel.locator("mark[data-kind=PHONE]")).to_contain_text(NUMBER)

    panel.get_by_test_id("deid-redact").click()
    textarea = alice_page.locator("[data-testid=composer] textarea")
    expect(textarea).to_have_value("Call her sister [NAME] at [PHONE] tonight")
    alice_page.press("[data-testid=composer] textarea", "Enter")

    expect(bob_page.get_by_test_id("thread")).to_contain_text(
        "Call her sister [NAME] at [PHONE] tonight"
    )
    assert [m.body for m in Message.objects.all()] == ["Call her sister [NAME] at [PHONE] tonight"]
    stored = json.dumps(
        [
            list(Message.objects.values()),
            list(AuditEvent.objects.values("payload")),
            list(Case.objects.values()),
        ],
        default=str,
    )
    server_logs = "".join(Path(server.log.name).read_text() for server in live_servers)
    for secret in (NAME, NUMBER, "Lopez", "201-3344"):
        assert secret not in stored and secret not in server_logs


def test_it_lets_the_writer_confirm_a_false_alarm(sign_in, alice, bob, north_case):
    alice_page = open_room(sign_in(alice), north_case)
    bob_page = open_room(sign_in(bob), north_case)

    post(alice_page, "Hope said she felt safer this week")
    panel = alice_page.get_by_test_id("deid-panel")
    expect(panel.locator("mark[data-kind=NAME]")).to_contain_text("Hope")
    panel.locator("input[type=checkbox]").check()
    panel.get_by_test_id("deid-confirm").click()

    expect(bob_page.get_by_test_id("thread")).to_contain_text("Hope said she felt safer this week")
    assert Message.objects.get().deid_confirmations == [{"start": 0, "end": 4, "kind": "NAME"}]
