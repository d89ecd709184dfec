"""Installed on a phone, Consult says plainly when the network is gone: after the service worker
has taken the page, a navigation with the network cut shows the offline page, never a cached
clinical page.

alice is a North therapist with a case of her own.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.records_helpers import leave_rooms

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_shows_the_offline_page_when_the_network_is_cut(sign_in, alice, north_case):
    page = sign_in(alice)
    page.goto(f"/cases/{north_case.code}/")
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "open")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    cached = page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys())
            for (const request of await (await caches.open(name)).keys())
                urls.push(new URL(request.url).pathname);
        return urls.sort();
    }""")
    assert cached == [
        "/offline/",
        "/static/css/app.css",
        "/static/icons/icon-192.png",
        "/static/icons/icon.svg",
        "/static/js/shell.js",
    ]  # the shell only: no case page, no API answer

    page.context.set_offline(True)
    page.goto(f"/cases/{north_case.code}/")
    expect(page.get_by_test_id("offline")).to_contain_text("offline: pages cannot reach you here")
    assert north_case.title not in page.content()

    page.context.set_offline(False)
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_test_id("nav-dashboard")).to_be_visible()
    leave_rooms(page)
