"""Two team members talk in a case room, live, in two browsers."""

import pytest
from playwright.sync_api import expect

from consult.cases.models import Message
from tests.browser.conftest import open_room, post

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_shows_each_members_messages_to_the_other_live(sign_in, alice, bob, north_case):
    alice_page = open_room(sign_in(alice), north_case)
    bob_page = open_room(sign_in(bob), north_case)
    expect(alice_page.get_by_test_id("presence")).to_contain_text("Bob")

    post(alice_page, "Client disclosed **hopelessness** today")
    expect(bob_page.get_by_test_id("thread")).to_contain_text("Client disclosed hopelessness today")
    expect(bob_page.locator("[data-testid=thread] strong")).to_have_text("hopelessness")
    post(bob_page, "Let's review the safety plan together")
    expect(alice_page.get_by_test_id("thread")).to_contain_text(
        "Let's review the safety plan together"
    )
    expect(alice_page.locator("li.message").first).to_contain_text("Seen by Bob")


def test_it_keeps_html_from_one_user_inert_in_the_others_page(sign_in, alice, bob, north_case):
    alice_page = open_room(sign_in(alice), north_case)
    bob_page = open_room(sign_in(bob), north_case)
    dialogs = []
    bob_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    post(alice_page, "<img src=x onerror=alert(1)>")
    expect(bob_page.get_by_test_id("thread")).to_contain_text("<img src=x onerror=alert(1)>")
    assert bob_page.locator("[data-testid=thread] img").count() == 0
    bob_page.wait_for_timeout(300)
    assert dialogs == []


def test_it_sends_a_message_typed_offline_exactly_once_after_reconnect(
    sign_in, alice, bob, north_case
):
    alice_page = open_room(sign_in(alice), north_case)
    bob_page = open_room(sign_in(bob), north_case)

    alice_page.context.set_offline(True)
    expect(alice_page.get_by_test_id("connection")).to_have_attribute("data-state", "offline")
    post(alice_page, "Typed while the train was in a tunnel")
    expect(alice_page.get_by_test_id("outbox")).to_have_text("1 waiting to send")
    alice_page.context.set_offline(False)

    expect(bob_page.get_by_test_id("thread")).to_contain_text(
        "Typed while the train was in a tunnel"
    )
    expect(alice_page.get_by_test_id("outbox")).to_have_text("")
    expect(alice_page.get_by_test_id("thread")).to_contain_text(
        "Typed while the train was in a tunnel"
    )
    alice_page.reload()  # a reload must not resend what the server already acknowledged
    alice_page.wait_for_selector("[data-testid=connection][data-state=open]")
    # A resend would go out as the socket opens, before anything typed after: once the next
    # message reaches bob, there are exactly two.
    post(alice_page, "Out of the tunnel now")
    expect(bob_page.get_by_test_id("thread")).to_contain_text("Out of the tunnel now")
    assert Message.objects.filter(case=north_case).count() == 2
    assert bob_page.locator("li.message").count() == 2


def test_a_long_outbox_goes_out_in_order_without_tripping_flood_control(sign_in, alice, north_case):
    """60 messages typed offline (more than the server's burst of 30, and more than 20 refusals
    in a row, which close a socket with 4429): back online they are all stored, in order, on the
    one reconnected socket."""
    page = open_room(sign_in(alice), north_case)
    page.context.set_offline(True)
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "offline")
    for i in range(60):
        post(page, f"Note {i} written offline")
    expect(page.get_by_test_id("outbox")).to_have_text("60 waiting to send")
    room_sockets = []
    page.on("websocket", lambda ws: "/ws/cases/" in ws.url and room_sockets.append(ws.url))

    page.context.set_offline(False)
    expect(page.get_by_test_id("outbox")).to_have_text("", timeout=30_000)
    bodies = list(
        Message.objects.filter(case=north_case).order_by("seq").values_list("body", flat=True)
    )
    assert bodies == [f"Note {i} written offline" for i in range(60)]
    assert len(room_sockets) == 1  # no 4429 close and second reconnect on the way


def test_it_refuses_an_outsider_the_page_and_the_socket(sign_in, oscar, north_case, server):
    page = sign_in(oscar)
    response = page.goto(f"/cases/{north_case.code}/")
    assert response.status == 404
    assert north_case.title not in page.content()
    result = page.evaluate(
        """url => new Promise(resolve => {
        const ws = new WebSocket(url);
        ws.onopen = () => resolve("open");
        ws.onclose = (event) => resolve("closed:" + event.code);
    })""",
        server.url.replace("http", "ws") + f"/ws/cases/{north_case.code}/",
    )
    assert result == "closed:1006"  # the handshake was refused
