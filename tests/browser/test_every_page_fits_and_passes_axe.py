"""Every page, in the states the other browser tests reach, fits a phone and a desktop without
sideways scrolling, and axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation on it.

alice is a North therapist who owns the case: she sees her pages, an acknowledgement to give and a
safety plan with two versions to compare. bob supervises North and is primary on call: his
dashboard rings with alice's urgent consult, and he runs the team's reviews.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from consult.oncall.consults import consult_request
from consult.oncall.models import Shift
from consult.records.followups.services import followup_schedule
from consult.records.guidance.services import guidance_amend, guidance_log
from consult.records.reviews import services as reviews
from consult.records.risk.services import risk_update
from consult.records.safety.services import safety_plan_save
from tests.browser.axe import axe_script, axe_violations
from tests.browser.conftest import watch_csp

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"phone-360": (360, 740), "phone-390": (390, 844), "desktop-1280": (1280, 800)}
AXE_URL = "/__test__/axe.min.js"  # same origin, so the pages' strict CSP lets it in


@pytest.fixture
def states(alice, bob, north, north_case):
    now = timezone.now()
    Shift.objects.create(
        team=north,
        supervisor=bob,
        tier=1,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    risk_update(
        actor=alice,
        case_code=north_case.code,
        level="high",
        signs=[],
        protective_factors="Sister nearby",
        reason="Disclosed ideation",
    )
    safety_plan_save(
        actor=alice,
        case_code=north_case.code,
        sections={"warning_signs": "Stops answering", "helpers": "Sister"},
    )
    safety_plan_save(
        actor=alice,
        case_code=north_case.code,
        sections={"warning_signs": "Stops answering", "helpers": "Sister\nSchool counsellor"},
    )
    entry = guidance_log(
        actor=bob, case_code=north_case.code, assessment="Engaged", recommendation="Weekly sessions"
    )
    entry = guidance_amend(
        actor=bob,
        case_code=north_case.code,
        entry_id=entry.pk,
        assessment="Engaged",
        recommendation="Twice weekly",
    )
    followup_schedule(actor=alice, case_code=north_case.code, due_at=now + timedelta(days=1))
    closed = reviews.review_schedule(actor=bob, team_id=north.pk, scheduled_at=now)
    reviews.review_open(actor=bob, session_id=closed.pk)
    reviews.review_join(actor=alice, session_id=closed.pk)
    reviews.review_close(actor=bob, session_id=closed.pk)
    live = reviews.review_schedule(
        actor=bob, team_id=north.pk, scheduled_at=now + timedelta(days=7)
    )
    consult_request(
        actor=alice,
        kind="urgent",
        question="Client disclosed a plan tonight; what now?",
        case_code=north_case.code,
        signs={"plan": True},
        signs_note="",
    )
    return {
        "case": north_case.code,
        "entry": entry.pk,
        "closed_review": closed.pk,
        "review": live.pk,
    }


def pages_of(who, s):
    case = f"/cases/{s['case']}"
    common = [
        "/cases/",
        "/cases/new/",
        f"{case}/",
        f"{case}/edit/",
        f"{case}/audit/",
        f"{case}/risk/",
        f"{case}/safety-plan/",
        f"{case}/safety-plan/v1/",
        f"{case}/safety-plan/compare/?a=1&b=2",
        f"{case}/safety-plan/v2/print/",
        f"{case}/guidance/",
        "/reviews/",
        f"/reviews/{s['closed_review']}/",
        "/supervision-hours/",
        "/dashboard/",
        "/oncall/",
        "/offline/",
        "/login/",
        "/cases/search/?q=plan",
        "/account/sessions/",
        "/account/password/",
    ]
    if who == "alice":
        return [*common, f"{case}/safety-plan/edit/"]
    return [
        *common,
        f"{case}/guidance/{s['entry']}/amend/",
        "/reviews/new/",
        f"/reviews/{s['review']}/",
        "/false-alarms/",
        "/emergency-access/",
    ]


@pytest.fixture
def browse(chromium, server, sign_in, csp_violations):
    """A page signed in as `user` (through sign_in, MFA and all), or signed out for None, that can
    load axe-core from the server's own origin."""
    script = axe_script()
    contexts = []

    def open_as(user):
        if user is None:
            context = chromium.new_context(base_url=server.url)
            context.set_default_timeout(10_000)
            watch_csp(
                context, csp_violations
            )  # the strict policy holds on every page and state swept
            contexts.append(context)
            page = context.new_page()
        else:
            page = sign_in(user)
        page.context.route(f"{server.url}{AXE_URL}", lambda route: route.fulfill(path=str(script)))
        page.goto("/login/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def problems_at_every_size(page):
    """Sideways scrolling and axe violations of the page as it stands, at each size in turn."""
    found = []
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            widest = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
                .slice(-3)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""")
            found.append(f"{name}: {scroll_width} px wide: {widest}")
        found += [f"{name}: {violation}" for violation in axe_violations(page)]
        if name.startswith("phone"):
            found += [f"{name}: {small}" for small in small_touch_targets(page)]
    page.set_viewport_size(dict(zip(("width", "height"), SIZES["phone-360"], strict=True)))
    return found


def small_touch_targets(page):
    """Controls a finger must hit that are under 44 px tall: buttons, fields, disclosure
    summaries, and each checkbox or radio button through the label that wraps it (its target)."""
    return page.evaluate("""() => [...document.querySelectorAll(
            'button, select, input:not([type=hidden]), summary, textarea')]
        .map(e => (e.type === 'checkbox' || e.type === 'radio') && e.closest('label') || e)
        .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 43.5)
        .map(e => e.tagName.toLowerCase()
                  + (e.dataset.testid ? `[${e.dataset.testid}]` : '')
                  + ` ${Math.round(e.getBoundingClientRect().height)} px tall`)""")


def settle(page):
    """Wait for a live page to have connected and rendered what its socket brings."""
    page.wait_for_load_state("load")
    if page.locator("[data-testid=connection][data-state=connecting]").count():
        page.wait_for_selector("[data-testid=connection]:not([data-state=connecting])")


# What each page must show for the sweep to have seen the state it means to check.
EXPECTED = {
    "bob /dashboard/": "[data-testid=page]",  # alice's urgent consult rings for bob
    "alice /dashboard/": "[data-testid=consult]",
    "alice /cases/{case}/guidance/": "[data-testid=acknowledge]",
    "bob /cases/{case}/safety-plan/compare/?a=1&b=2": "table.diff ins",
    "bob /reviews/{review}/": "[data-testid=open-review]",
    "alice /reviews/{closed_review}/": "[data-testid=review-closed]",
}


def test_every_page_fits_and_has_no_wcag_violations(browse, states, alice, bob):
    report = {}
    signed_out = browse(None)
    report["/login/"] = problems_at_every_size(signed_out)
    signed_out.fill("input[name=username]", "alice")
    signed_out.fill("input[name=password]", "wrong")
    signed_out.click("button[type=submit]")
    report["/login/ (wrong password)"] = problems_at_every_size(signed_out)
    for user in (alice, bob):
        page = browse(user)
        for path in pages_of(user.username, states):
            page.goto(path)
            settle(page)
            expected = {key.format(**states): selector for key, selector in EXPECTED.items()}
            if f"{user.username} {path}" in expected:
                page.wait_for_selector(expected[f"{user.username} {path}"])
            report[f"{user.username} {path}"] = problems_at_every_size(page)
        page.goto(f"/cases/{states['case']}/safety-plan/edit/")
        page.fill("textarea[name=helpers]", "Sister on 555-123-4567")
        page.click("[data-testid=save-plan]")
        page.wait_for_selector("[data-testid=finding-helpers]")
        report[f"{user.username} safety plan refused for an identifier"] = problems_at_every_size(
            page
        )
        page.goto("/cases/")
        page.get_by_test_id("nav-toggle").click()  # the phone menu, opened
        page.wait_for_selector("[data-testid=nav-dashboard]")
        report[f"{user.username} menu open"] = problems_at_every_size(page)
    failures = {where: found for where, found in report.items() if found}
    assert not failures, "\n".join(
        f"{where}:\n  " + "\n  ".join(found) for where, found in failures.items()
    )
