"""Automatic logoff and "sign out everywhere", in Chromium.

alice (therapist in North) works in the North case room. On a server whose sessions idle out
after 12 s (warning 8 s before), she is warned, stays signed in, then walks away and is signed
out, every socket of the session closed. On the ordinary servers she signs out her other
browser from the Sessions page, and that browser's room closes.
"""

import re
from contextlib import contextmanager

import pytest
from django.conf import settings
from playwright.sync_api import expect
from websockets.sync.client import connect

from consult.accounts.models import EndReason, UserSession
from consult.realtime.protocol import WS_CLOSE_SIGNED_OUT
from tests.browser.conftest import open_room, wait_until_rooms_are_left
from tests.live import DaphneServer

pytestmark = pytest.mark.django_db(transaction=True)

IDLE = {"SESSION_IDLE_MINUTES": "0.2", "SESSION_WARN_SECONDS": "8"}  # 12 s idle, warned at 4 s


@pytest.fixture(scope="module")
def short_session_server(live_servers, tmp_path_factory):
    server = DaphneServer(tmp_path_factory.mktemp("daphne-idle") / "daphne.log", env=IDLE)
    yield server
    server.stop()


def signed_in_page(chromium, server, user):
    context = chromium.new_context(base_url=server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "pw-" + user.username)
    page.click("button[type=submit]")
    page.wait_for_url("**/cases/")
    return page


@contextmanager
def raw_socket(server, page, path):
    """Another socket of the same browser session, that never acts (so never keeps it alive)."""
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    with connect(
        server.url.replace("http", "ws") + path,
        origin=server.url,
        additional_headers={"Cookie": f"{cookie['name']}={cookie['value']}"},
    ) as ws:
        ws.recv(timeout=10)  # its first frame
        yield ws


def close_code(ws, timeout):
    try:
        while True:
            ws.recv(timeout=timeout)
    except Exception as closed:  # noqa: BLE001 - ConnectionClosed (with the server's code), or a timeout
        return getattr(getattr(closed, "rcvd", None), "code", None)


def test_it_warns_extends_then_signs_out_at_the_idle_deadline(
    chromium, short_session_server, alice, north_case
):
    page = open_room(signed_in_page(chromium, short_session_server, alice), north_case)
    warning = page.get_by_test_id("session-warning")
    with raw_socket(short_session_server, page, "/ws/me/") as me:
        expect(warning).to_be_visible(timeout=15_000)
        expect(warning).to_contain_text("You will be signed out in")
        page.get_by_test_id("stay-signed-in").click()
        expect(warning).to_be_hidden()
        expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "open")

        expect(warning).to_be_visible(
            timeout=15_000
        )  # she walked away: warned again, then signed out
        expect(page).to_have_url(re.compile(r"/login/"), timeout=20_000)
        assert close_code(me, timeout=10) == WS_CLOSE_SIGNED_OUT
    assert UserSession.objects.get(user=alice).end_reason == EndReason.IDLE
    page.context.close()
    wait_until_rooms_are_left()


def test_sign_out_everywhere_else_closes_the_other_browsers_sockets(
    chromium, server, alice, north_case
):
    desk = signed_in_page(chromium, server, alice)
    other = open_room(signed_in_page(chromium, server, alice), north_case)
    with raw_socket(server, other, "/ws/me/") as others_me:
        desk.get_by_test_id("nav-sessions").click()
        expect(desk.get_by_test_id("session-row")).to_have_count(2)
        desk.get_by_test_id("sign-out-everywhere-else").click()

        expect(desk.get_by_test_id("session-row")).to_have_count(1)
        expect(other).to_have_url(
            re.compile(r"/login/")
        )  # its room socket closed with 4001: the page went to sign-in
        assert close_code(others_me, timeout=5) == WS_CLOSE_SIGNED_OUT
    expect(desk.get_by_test_id("this-session")).to_be_visible()
    for page in (desk, other):
        page.context.close()
    wait_until_rooms_are_left()
