"""Emergency access in the browser: a supervisor outside the team opens a case with a reason, lands
in its live room, and the team's supervisor sees the notice on the page they have open.

olga supervises East (an outsider to the North case, with an authenticator app like every
supervisor); bob supervises North and is on his case list when it happens.
"""

import pytest
from playwright.sync_api import expect

from consult.emergency.models import EmergencyGrant

pytestmark = pytest.mark.django_db(transaction=True)


def test_breaking_the_glass_opens_the_room_and_tells_the_team(sign_in, bob, olga, north_case):
    bob_page = sign_in(bob)
    bob_page.wait_for_function(
        "() => document.querySelector('[data-testid=page-banner]')?.dataset.socket === 'open'"
    )
    page = sign_in(olga)
    page.get_by_test_id("nav-emergency").click()
    page.fill("input[name=case]", north_case.code)
    page.fill(
        "textarea[name=reason]",
        "Client disclosed intent tonight; the owning therapist is unreachable.",
    )
    page.get_by_role("button", name="Open the case under emergency access").click()
    page.wait_for_url(f"**/cases/{north_case.code}/")
    page.wait_for_selector("[data-testid=connection][data-state=open]")
    notice = bob_page.get_by_test_id("page-banner").get_by_test_id("emergency-access")
    expect(notice).to_contain_text(f"Emergency access to case {north_case.code} by Olga")
    assert EmergencyGrant.objects.filter(user=olga, case=north_case).count() == 1
