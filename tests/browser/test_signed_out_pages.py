"""After signing out, no tab keeps clinical content on screen: an open Dashboard in another tab
goes to the sign-in page (its socket is closed with 4001), and Back does not bring it back.

alice is a North therapist with a case of her own.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_signing_out_takes_every_tab_to_sign_in(sign_in, alice, north_case):
    cases_tab = sign_in(alice)
    dashboard = cases_tab.context.new_page()
    dashboard.goto("/dashboard/")
    expect(dashboard.get_by_test_id("connection")).to_have_attribute("data-state", "open")
    expect(dashboard.locator("[data-testid=consult-form] select[name=case]")).to_contain_text(
        north_case.code
    )

    cases_tab.get_by_role("button", name="Sign out").click()
    expect(cases_tab).to_have_url(re.compile(r"/login/"))

    expect(dashboard).to_have_url(re.compile(r"/login/\?next=%2Fdashboard%2F$"))
    expect(dashboard.get_by_role("heading", name="Sign in")).to_be_visible()
    assert north_case.code not in dashboard.content()
    cases_tab.go_back()
    expect(cases_tab.get_by_role("heading", name="Sign in")).to_be_visible()
    assert north_case.title not in cases_tab.content()
