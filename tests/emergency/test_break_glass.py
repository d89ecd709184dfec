"""Emergency access: a supervisor outside the team opens a case with a reason and a fresh code,
the team's supervisors are told, everything is on the case's chain, and it ends on time.

Personas: olga supervises the East team: no member of North, yet in an emergency she may
open the North case. bob (North's supervisor, with an e-mail address here) is told; oscar, an
East therapist, may not break the glass at all.
"""

import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command
from django.utils import timezone

from consult.accounts import mfa
from consult.audit.chain import content_hash
from consult.cases.access import case_for
from consult.core.errors import AccessDenied, IdentifierFound, NotFound, ValidationFailed
from consult.emergency.models import EmergencyGrant
from consult.emergency.services import emergency_grant, expire_due_grants
from consult.oncall.models import Delivery
from consult.realtime.revocation import WS_CLOSE_ACCESS_LOST
from tests.support.audit import trail
from tests.support.sockets import closed_with, joined, open_socket, receive_until

REASON = "Client disclosed intent tonight; the owning therapist is unreachable."


@pytest.fixture
def bob_with_email(bob):
    bob.email = "bob@example.org"
    bob.save(update_fields=["email"])
    return bob


@pytest.mark.django_db
class TestRefusals:
    def test_it_needs_a_reason(self, olga, north_case):
        with pytest.raises(ValidationFailed):
            emergency_grant(actor=olga, case_code=north_case.code, reason="  ", stepped_up=True)
        assert not EmergencyGrant.objects.exists()

    def test_it_needs_a_fresh_code(self, olga, north_case):
        with pytest.raises(AccessDenied):
            emergency_grant(actor=olga, case_code=north_case.code, reason=REASON, stepped_up=False)
        assert not EmergencyGrant.objects.exists()

    def test_it_refuses_identifiers_in_the_reason(self, olga, north_case):
        with pytest.raises(IdentifierFound):
            emergency_grant(
                actor=olga,
                case_code=north_case.code,
                reason="Maria Lopez called 555-867-5309",
                stepped_up=True,
            )
        assert not EmergencyGrant.objects.exists()

    def test_it_is_for_supervisors_and_admins_outside_the_team(self, oscar, bob, north_case):
        with pytest.raises(AccessDenied):
            emergency_grant(actor=oscar, case_code=north_case.code, reason=REASON, stepped_up=True)
        with pytest.raises(ValidationFailed):
            emergency_grant(actor=bob, case_code=north_case.code, reason=REASON, stepped_up=True)
        assert not EmergencyGrant.objects.exists()

    def test_the_page_asks_for_a_fresh_code_first_and_refuses_a_stale_one(
        self, client, olga, north_case
    ):
        client.force_login(olga)
        session = client.session
        session[mfa.MFA_VERIFIED_AT] = time.time() - 16 * 60
        session.save()
        asked = client.get("/emergency-access/")
        assert asked.status_code == 302 and asked.url.startswith("/account/mfa/step-up/?next=")
        refused = client.post("/emergency-access/", {"case": north_case.code, "reason": REASON})
        # A refusal, not a form error: 403, the page saying why.
        assert refused.status_code == 403 and b"fresh code" in refused.content
        assert client.get(f"/cases/{north_case.code}/").status_code == 404
        assert not EmergencyGrant.objects.exists()


@pytest.mark.django_db
def test_a_grant_opens_the_case_tells_the_team_and_every_read_is_on_the_chain(
    client, olga, bob_with_email, north_case
):
    client.force_login(olga)
    before = len(trail(north_case))
    response = client.post("/emergency-access/", {"case": north_case.code, "reason": REASON})
    assert (response.status_code, response.url) == (302, f"/cases/{north_case.code}/")
    assert client.get(f"/cases/{north_case.code}/").status_code == 200
    assert client.get(f"/cases/{north_case.code}/risk/").status_code == 200
    grant = EmergencyGrant.objects.get()
    assert grant.expires_at - grant.granted_at == timedelta(minutes=60)
    events = trail(north_case)[before:]
    assert events[0] == (
        "break_glass.granted",
        "olga",
        {
            "case": north_case.code,
            "grant_id": grant.pk,
            "minutes": 60,
            "reason_sha256": content_hash(REASON),
            "user_id": olga.pk,
        },
    )
    assert [(a, actor) for a, actor, _ in events[1:]] == [
        ("case.viewed", "olga"),
        ("case.viewed", "olga"),
    ]
    mail = Delivery.objects.get(target="bob@example.org")
    assert north_case.code in mail.subject and "Olga" in mail.payload["body"]
    assert (
        "unreachable" not in mail.payload["body"] and north_case.title not in mail.payload["body"]
    )


@pytest.mark.django_db
def test_admins_review_every_grant_and_nobody_else_can(client, olga, dana, bob, north_case):
    emergency_grant(actor=olga, case_code=north_case.code, reason=REASON, stepped_up=True)
    client.force_login(dana)
    page = client.get("/emergency-access/review/")
    assert page.status_code == 200 and north_case.code in page.content.decode()
    client.force_login(bob)
    assert client.get("/emergency-access/review/").status_code == 404


@pytest.mark.django_db
def test_access_ends_at_its_time_even_before_the_sweep(olga, north_case):
    grant = emergency_grant(actor=olga, case_code=north_case.code, reason=REASON, stepped_up=True)
    assert case_for(olga, north_case.code) == north_case
    EmergencyGrant.objects.filter(pk=grant.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(NotFound):
        case_for(olga, north_case.code)


@pytest.mark.django_db(transaction=True)
async def test_the_supervisors_are_told_on_their_notification_socket(olga, bob, north_case):
    me, _, _ = await open_socket(bob, "/ws/me/")
    await receive_until(me, "dashboard.snapshot")
    grant = await database_sync_to_async(emergency_grant)(
        actor=olga, case_code=north_case.code, reason=REASON, stepped_up=True
    )
    notice = await receive_until(me, "emergency_access.granted")
    assert notice == {
        "type": "emergency_access.granted",
        "grant_id": grant.pk,
        "case": north_case.code,
        "grantee": "Olga",
        "expires_at": grant.expires_at.isoformat(),
        "url": f"/cases/{north_case.code}/audit/",
    }
    await me.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_room_works_until_expiry_then_its_socket_is_closed_and_the_chain_verifies(
    olga, north_case
):
    grant = await database_sync_to_async(emergency_grant)(
        actor=olga, case_code=north_case.code, reason=REASON, stepped_up=True
    )
    room, frame = await joined(olga, north_case.code)
    assert frame["case"]["code"] == north_case.code
    assert await database_sync_to_async(expire_due_grants)() == 0  # not due yet
    await database_sync_to_async(EmergencyGrant.objects.filter(pk=grant.pk).update)(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert await database_sync_to_async(expire_due_grants)() == 1
    assert await closed_with(room) == WS_CLOSE_ACCESS_LOST
    assert await database_sync_to_async(expire_due_grants)() == 0  # expired once

    def chain():
        events = trail(north_case)
        call_command("audit_verify", "--case", north_case.code)
        return [(action, actor) for action, actor, _ in events]

    actions = await database_sync_to_async(chain)()
    assert actions[-1] == ("break_glass.expired", None)
    assert ("break_glass.granted", "olga") in actions and ("room.joined", "olga") in actions


@pytest.mark.django_db
def test_the_grantee_may_post_while_the_grant_lasts_and_not_after(olga, north_case):
    from consult.cases.services import message_post

    grant = emergency_grant(actor=olga, case_code=north_case.code, reason=REASON, stepped_up=True)
    posted = message_post(
        actor=olga, case_code=north_case.code, client_id="c-1", body="Covering tonight."
    )
    assert posted.message.author == olga
    EmergencyGrant.objects.filter(pk=grant.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(AccessDenied):  # on a socket: refused as `forbidden`, closed with 4403
        message_post(actor=olga, case_code=north_case.code, client_id="c-2", body="Still here?")
