"""Sign-ins, failures, sign-outs and refusals each leave exactly one event, ids and codes only.

Personas (tests/conftest.py): alice is a therapist in North who owns the North case; oscar is a
therapist in East, an outsider to every North case.
"""

import hashlib

import pytest

from consult.accounts.security_events import ACCESS_DENIED, LOGIN_SUCCEEDED, security_event_record
from consult.audit.models import AuditEvent
from tests.accounts.conftest import sign_in
from tests.support.audit import trail

pytestmark = pytest.mark.django_db


def test_it_records_a_sign_in_and_a_sign_out(client, alice):
    assert sign_in(client, "alice", "pw-alice").status_code == 302
    client.post("/logout/")
    assert trail(alice) == [
        ("auth.login_succeeded", "alice", {}),
        ("auth.logout", "alice", {}),
    ]


def test_it_records_a_wrong_password_against_the_account_without_naming_who_tried(client, alice):
    assert sign_in(client, "alice", "not-her-password").status_code == 200
    assert trail(alice) == [("auth.login_failed", None, {"reason": "bad_credentials"})]


def test_it_records_an_unknown_username_only_as_its_hash(client, alice):
    sign_in(client, "alicee", "pw-alice")
    digest = hashlib.sha256(b"alicee").hexdigest()
    assert trail("auth:unknown") == [
        ("auth.login_failed", None, {"reason": "bad_credentials", "username_sha256": digest})
    ]
    assert not AuditEvent.objects.filter(payload__icontains="alicee").exists()


def test_it_records_an_outsider_refused_a_case_on_both_trails(client, oscar, north_case):
    client.force_login(oscar)
    assert client.get(f"/cases/{north_case.code}/").status_code == 404
    refusal = {"case": north_case.code}
    assert [event for event in trail(oscar) if event[0] != "auth.login_succeeded"] == [
        ("access.denied", "oscar", refusal)
    ]
    last = AuditEvent.objects.filter(stream=f"case:{north_case.code}").order_by("-seq").first()
    assert (last.action, last.actor, last.payload) == (
        "access.denied",
        oscar,
        {**refusal, "user_id": oscar.pk},
    )
    assert AuditEvent.objects.filter(action="access.denied").count() == 2


def test_it_records_nothing_for_a_case_that_does_not_exist(client, oscar, north_case):
    client.force_login(oscar)
    assert client.get("/cases/C-NOPE1/").status_code == 404
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_it_records_nothing_for_a_member(client, alice, north_case):
    client.force_login(alice)
    assert client.get(f"/cases/{north_case.code}/").status_code == 200
    assert not AuditEvent.objects.filter(action="access.denied").exists()


@pytest.mark.parametrize(
    "value", ["free text with spaces", "x" * 101, 1.5, ["list"], "line\nbreak"]
)
def test_it_refuses_anything_but_ids_and_codes(alice, value):
    with pytest.raises(ValueError):
        security_event_record(ACCESS_DENIED, user=alice, detail=value)
    assert not AuditEvent.objects.exists()


def test_it_refuses_an_action_outside_the_vocabulary(alice):
    with pytest.raises(ValueError):
        security_event_record("auth.something_else", user=alice)
    security_event_record(LOGIN_SUCCEEDED, user=alice)
    assert trail(alice) == [("auth.login_succeeded", "alice", {})]
