"""Every page, as the people who use it see it, under a strict Content-Security-Policy: the header
never allows 'unsafe-inline', and no page breaks the policy (the browser reports a violation for
any inline script, style or event handler it blocks; tests/browser/conftest.py fails the test on
one). The other browser tests watch every page they reach the same way, in the states they
reach (a form refused for identifiers with its redaction panel, a live room, a page ringing...).

alice (therapist) owns the North case, with a safety plan in two versions, a guidance entry and a
live review; bob supervises North; root is a superuser for Django's admin."""

import pytest

from consult.accounts.models import User
from tests.browser.records_helpers import leave_rooms
from tests.records.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def pages(world, alice, bob):
    code, plan = world.case.code, f"/cases/{world.case.code}/safety-plan"
    return [
        "/cases/",
        "/cases/new/",
        f"/cases/{code}/",
        f"/cases/{code}/edit/",
        f"/cases/{code}/risk/",
        f"{plan}/",
        f"{plan}/edit/",
        f"{plan}/compare/?a=1&b=2",
        f"{plan}/v1/",
        f"{plan}/v2/print/",
        f"/cases/{code}/guidance/",
        f"/cases/{code}/guidance/{world.entry.pk}/amend/",
        f"/cases/{code}/audit/",
        "/dashboard/",
        "/oncall/",
        "/reviews/",
        "/reviews/new/",
        f"/reviews/{world.live.pk}/",
        f"/reviews/{world.scheduled.pk}/",
        "/supervision-hours/",
        f"/supervision-hours/{alice.pk}/",
        "/false-alarms/",
        "/account/sessions/",
        "/account/password/",
        "/account/mfa/step-up/",
        "/emergency-access/",
        "/offline/",
    ]


def visit(page, path):
    response = page.goto(path)
    assert response.status == 200, path
    policy = response.headers["content-security-policy"]
    assert (
        "unsafe-inline" not in policy
        and "script-src 'self'" in policy
        and "style-src 'self'" in policy
    )
    page.wait_for_load_state("load")


def test_no_page_breaks_the_policy(sign_in, alice, bob, carol, oscar, north, north_case):
    world = build_world(alice, bob, carol, oscar, north, north_case)
    page = sign_in(bob)  # a supervisor reaches every page but the admins' review
    for path in pages(world, alice, bob):
        visit(page, path)
    admin = sign_in(world.users["admin"])
    visit(admin, "/emergency-access/review/")
    peer = sign_in(carol)  # no authenticator yet: the enrolment page with its QR code
    visit(peer, "/account/mfa/enrol/")
    leave_rooms(page, admin, peer)


def test_the_sign_in_page_and_the_admin_keep_the_policy(chromium, server, csp_violations):
    from tests.browser.conftest import watch_csp

    User.objects.create_superuser("root", password="pw-root")
    context = chromium.new_context(base_url=server.url)
    watch_csp(context, csp_violations)
    page = context.new_page()
    visit(page, "/login/")
    visit(page, "/admin/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "pw-root")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    for path in (
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/oncall/teampagingsettings/",
    ):
        visit(page, path)
    context.close()


def test_the_watch_hears_a_blocked_inline_handler(chromium, server):
    """The listener the other tests rely on reports what the policy blocks."""
    from tests.browser.conftest import watch_csp

    heard = []
    context = chromium.new_context(base_url=server.url)
    watch_csp(context, heard)
    page = context.new_page()
    visit(page, "/login/")
    page.evaluate("""() => {
        document.body.insertAdjacentHTML(
            "beforeend", '<img src="/static/none.png" onerror="window.x = 1">');
        const s = document.createElement("script");
        s.textContent = "window.y = 1";
        document.body.append(s);
        document.body.insertAdjacentHTML("beforeend", '<p style="color: red">styled</p>');
    }""")
    page.wait_for_timeout(500)
    context.close()
    assert {v["directive"].split("-")[0] for v in heard} >= {"script", "style"}
