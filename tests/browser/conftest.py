import os
import time

import pytest
from django_otp import user_has_device

from tests.support.people import authenticator, totp_code

# Playwright's sync API runs an event loop in the test's thread; the test's own ORM calls
# (fixtures, assertions on stored rows) are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def server(live_servers):
    return live_servers[0]


# Every page of every browser test reports Content-Security-Policy violations here; the test
# fails if any page broke the policy (an inline script, style or handler the policy blocked).
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (e) => window.__consultCspViolation(
  {page: location.pathname, directive: e.violatedDirective, blocked: e.blockedURI,
   source: e.sourceFile, line: e.lineNumber, sample: e.sample}));
"""


def watch_csp(context, violations):
    context.expose_binding(
        "__consultCspViolation", lambda source, violation: violations.append(violation)
    )
    context.add_init_script(CSP_WATCH)


@pytest.fixture
def csp_violations():
    violations = []
    yield violations
    assert violations == [], "pages broke the Content-Security-Policy"


@pytest.fixture
def sign_in(chromium, server, csp_violations):
    """A fresh browser context signed in through the real login form,
    its pages watched for CSP violations."""
    contexts = []

    def sign_in_as(user):
        context = chromium.new_context(base_url=server.url)
        context.set_default_timeout(10_000)
        watch_csp(context, csp_violations)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", "pw-" + user.username)
        page.click("button[type=submit]")
        if user_has_device(user):
            page.wait_for_url("**/account/mfa/verify/**")
            page.fill("[data-testid=mfa-verify] input[name=code]", totp_code(authenticator(user)))
            page.click(
                "[data-testid=mfa-verify] button[type=submit]"
            )  # not the top bar's "Sign out"
        page.wait_for_url("**/cases/")
        return page

    yield sign_in_as
    for context in contexts:
        context.close()
    wait_until_rooms_are_left()


def wait_until_rooms_are_left(timeout=5):
    """The servers handle each closed socket's leave in a transaction of their own; truncating
    the test database while one still runs would deadlock with it."""
    from consult.cases.models import Presence

    deadline = time.monotonic() + timeout
    while Presence.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def open_room(page, case):
    page.goto(f"/cases/{case.code}/")
    page.wait_for_selector("[data-testid=connection][data-state=open]")
    return page


def post(page, text):
    page.fill("[data-testid=composer] textarea", text)
    page.press("[data-testid=composer] textarea", "Enter")
