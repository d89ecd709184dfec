"""The consult form shows only the fields of the kind chosen: a case for a consult about a case,
a team for "support for me" (the `hidden` attribute wins over the form's label styles).

alice is a North therapist with a case of her own.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.records_helpers import leave_rooms

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_shows_the_team_only_for_support(sign_in, alice, north_case):
    page = sign_in(alice)
    page.goto("/dashboard/")
    page.get_by_text("Request a consult").click()
    form = page.get_by_test_id("consult-form")
    expect(form.locator("label.for-case")).to_be_visible()
    expect(form.locator("label.for-support")).to_be_hidden()
    form.get_by_test_id("consult-kind").select_option("support")
    expect(form.locator("label.for-support")).to_be_visible()
    expect(form.locator("label.for-case")).to_be_hidden()
    expect(form.get_by_role("group", name="Warning signs seen")).to_be_hidden()
    leave_rooms(page)
