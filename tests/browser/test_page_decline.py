"""bob, primary on call, declines a page from his Dashboard: it leaves his list at once (no live
buttons left on a page he has answered) and does not come back on reload; the backup is paged.
Both ways to acknowledge the consult say the same word.

alice is a North therapist who owns the case; bob is primary on call, dave backup.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consult.oncall.consults import consult_request
from consult.oncall.models import Page, Shift
from tests.browser.records_helpers import leave_rooms

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_declined_page_leaves_the_list(sign_in, alice, bob, dave, north, north_case):
    now = timezone.now()
    for person, tier in ((bob, 1), (dave, 2)):
        Shift.objects.create(
            team=north,
            supervisor=person,
            tier=tier,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=1),
        )
    consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Plan disclosed; what now?"
    )
    page = sign_in(bob)
    page.goto("/dashboard/")
    card = page.get_by_test_id("pages").get_by_test_id("page")
    expect(card).to_have_count(1)
    consult_card = page.get_by_test_id("consults").get_by_test_id("consult")
    assert (
        consult_card.get_by_test_id("acknowledge").inner_text()
        == card.get_by_test_id("page-acknowledge").inner_text()
        == "Acknowledge"
    )

    page.once("dialog", lambda dialog: dialog.accept("Driving, cannot take it"))
    card.get_by_test_id("page-decline").click()
    expect(card).to_have_count(0)
    expect(page.get_by_test_id("pages")).to_contain_text("No pages.")
    assert Page.objects.get(recipient=bob).declined_at is not None
    assert Page.objects.filter(recipient=dave, tier=2).exists()
    page.reload()
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "open")
    expect(page.get_by_test_id("pages").get_by_test_id("page")).to_have_count(0)
    leave_rooms(page)
