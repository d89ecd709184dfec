"""Two-step sign-in: enrol an app, give its code after the password, use a recovery code once,
and give a fresh code before exporting an audit trail.

Personas (tests/conftest.py): alice, a therapist, may enrol but need not; bob, North's supervisor,
has an authenticator app; sam, made here, is a North supervisor who has not enrolled yet.
"""

import re
import time

import pytest
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from consult.accounts import mfa
from consult.accounts.models import Membership, Role, User
from consult.audit.models import AuditEvent
from tests.accounts.conftest import sign_in
from tests.support.audit import trail
from tests.support.people import authenticator, totp_code
from tests.support.sockets import connect

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(north):
    user = User.objects.create_user("sam", password="pw-sam", role=Role.SUPERVISOR)
    Membership.objects.create(team=north, user=user)
    return user


def password_only(user):
    """A browser that has given the password and nothing else."""
    client = Client()
    client.password_only = True
    client.force_login(user)
    return client


def mfa_events(user):
    return [(action, payload) for action, _, payload in trail(user) if action.startswith("mfa.")]


def test_it_enrols_an_authenticator_app_with_a_qr_code_and_recovery_codes(alice):
    client = password_only(alice)
    page = client.get("/account/mfa/enrol/")
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert page.context["secret"] == mfa.totp_secret(device)
    assert client.post("/account/mfa/enrol/", {"code": "000000"}).status_code == 400
    done = client.post("/account/mfa/enrol/", {"code": totp_code(device)})
    codes = done.context["codes"]
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert mfa_events(alice) == [
        ("mfa.failed", {"device": "totp", "purpose": "enrol"}),
        ("mfa.enrolled", {"device": "totp", "recovery_codes": 10}),
    ]
    assert not AuditEvent.objects.filter(payload__icontains=codes[0]).exists()


def test_a_supervisor_gives_a_code_after_the_password(client, bob, north_case):
    assert sign_in(client, "bob", "pw-bob").status_code == 302
    response = client.get(f"/cases/{north_case.code}/")
    assert (response.status_code, response.url) == (
        302,
        f"/account/mfa/verify/?next=%2Fcases%2F{north_case.code}%2F",
    )
    assert client.post("/account/mfa/verify/", {"code": "123456"}).status_code == 400
    assert client.get(f"/cases/{north_case.code}/").status_code == 302
    answered = client.post(response.url, {"code": totp_code(authenticator(bob))})
    assert (answered.status_code, answered.url) == (302, f"/cases/{north_case.code}/")
    assert client.get(f"/cases/{north_case.code}/").status_code == 200
    assert mfa_events(bob) == [
        ("mfa.failed", {"device": "any", "purpose": "login"}),
        ("mfa.verified", {"device": "totp", "purpose": "login"}),
    ]


def test_a_recovery_code_works_once(client, bob, north_case):
    code = mfa.recovery_codes_replace(bob)[0]
    sign_in(client, "bob", "pw-bob")
    assert client.post("/account/mfa/verify/", {"code": code, "next": "/cases/"}).url == "/cases/"
    client.post("/logout/")
    sign_in(client, "bob", "pw-bob")
    assert client.post("/account/mfa/verify/", {"code": code}).status_code == 400
    assert client.get("/cases/").status_code == 302
    assert mfa_events(bob) == [
        ("mfa.verified", {"device": "recovery_code", "purpose": "login"}),
        ("mfa.failed", {"device": "any", "purpose": "login"}),
    ]


def test_an_audit_export_needs_a_code_given_in_the_last_15_minutes(client, bob, north_case):
    client.force_login(bob)
    export = f"/cases/{north_case.code}/audit/export.jsonl"
    assert client.get(export).status_code == 200
    session = client.session
    session[mfa.MFA_VERIFIED_AT] = time.time() - 16 * 60
    session.save()
    asked = client.get(export)
    assert (asked.status_code, asked.url) == (
        302,
        "/account/mfa/step-up/?next=" + export.replace("/", "%2F"),
    )
    assert b"fresh code" in client.get(asked.url).content
    assert client.post(asked.url, {"code": "000000"}).status_code == 400
    back = client.post(asked.url, {"code": totp_code(authenticator(bob))})
    assert back.url == export
    assert client.get(export).status_code == 200
    assert mfa_events(bob)[-1] == ("mfa.verified", {"device": "totp", "purpose": "step_up"})


def test_a_supervisor_without_mfa_is_sent_to_enrolment_and_reaches_no_case_page(sam, north_case):
    client = password_only(sam)
    for page in (
        f"/cases/{north_case.code}/",
        "/cases/",
        f"/cases/{north_case.code}/risk/",
        "/dashboard/",
    ):
        response = client.get(page)
        assert response.status_code == 302 and response.url.startswith(
            "/account/mfa/enrol/?next="
        ), page
    enrol = client.get("/account/mfa/enrol/")
    assert enrol.context["required"]
    device = TOTPDevice.objects.get(user=sam)
    codes_page = client.post(
        "/account/mfa/enrol/", {"code": totp_code(device), "next": f"/cases/{north_case.code}/"}
    )
    assert re.search(r'href="/cases/C-\w+/"', codes_page.content.decode())
    assert client.get(f"/cases/{north_case.code}/").status_code == 200


def test_a_therapist_without_mfa_is_let_through(alice, north_case):
    assert password_only(alice).get(f"/cases/{north_case.code}/").status_code == 200


def test_mfa_required_roles_come_from_settings():
    assert settings.MFA_REQUIRED_ROLES == ["supervisor", "admin"]


@pytest.mark.django_db(transaction=True)
async def test_a_session_without_its_second_factor_opens_no_socket(bob, north_case):
    from channels.db import database_sync_to_async

    def password_only_cookie():
        return password_only(bob).cookies[settings.SESSION_COOKIE_NAME].value

    cookie = await database_sync_to_async(password_only_cookie)()
    _, connected, _ = await connect(None, north_case.code, cookie=cookie)
    assert not connected
    communicator, connected, _ = await connect(bob, north_case.code)
    assert connected
    await communicator.disconnect()
