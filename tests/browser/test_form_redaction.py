"""A therapist names the client in a new case's title, sees it flagged,
and redacts it in one click."""

import pytest
from playwright.sync_api import expect

from consult.cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_redacts_flagged_form_text_in_one_click(sign_in, alice, north):
    page = sign_in(alice)
    page.goto("/cases/new/")
    page.fill("input[name=title]", "Maria Lopez, panic attacks")
    page.fill("textarea[name=summary]", "Reachable on 617-555-0143 after six.")
    page.click("main form button[type=submit]")

    findings = page.get_by_test_id("findings")
    expect(findings.locator("mark[data-kind=NAME]")).to_have_text("Maria Lopez")
    expect(findings.locator("mark[data-kind=PHONE]")).to_have_text("617-555-0143")
    page.get_by_test_id("deid-redact-form").click()
    expect(page.locator("input[name=title]")).to_have_value("[NAME], panic attacks")
    expect(page.locator("textarea[name=summary]")).to_have_value("Reachable on [PHONE] after six.")
    page.click("main form button[type=submit]")

    page.wait_for_url("**/cases/C-*/")
    case = Case.objects.get()
    assert (case.title, case.summary) == (
        "[NAME], panic attacks",
        "Reachable on [PHONE] after six.",
    )
