"""Emergency access in the browser: a supervisor outside the team opens a case with a reason, lands
in its live room, and the team's supervisor sees the notice on the page they have open.

dave supervises East (an outsider to the North case, with an authenticator app like every
supervisor); bob supervises North and is on his case list when it happens.
"""

import pytest
from playwright.sync_api import expect

from consult.accounts.models import Role
from consult.emergency.models import EmergencyGrant
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_breaking_the_glass_opens_the_room_and_tells_the_team(sign_in, bob, east, north_case):
    dave = make_user("dave", Role.SUPERVISOR, east)
    bob_page = sign_in(bob)
    bob_page.wait_for_function(
        "() => document.querySelector('[data-testid=page-banner]')?.dataset.socket === 'open'"
    )
    page = sign_in(dave)
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
    expect(notice).to_contain_text(f"Emergency access to case {north_case.code} by Dave")
    assert EmergencyGrant.objects.filter(user=dave, case=north_case).count() == 1
