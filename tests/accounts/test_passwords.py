"""Passwords: Argon2 in production, strong ones only, and a change signs out every other session.

alice (therapist in North) changes her password in one browser while signed in on another.
"""

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import Client

from consult import settings as production
from consult.accounts.models import EndReason, UserSession

pytestmark = pytest.mark.django_db

STRONG = "harbour-lantern-orchid-42"


def signed_in(user, password=None):
    client = Client()
    if password:  # through the sign-in page, as a browser does
        assert (
            client.post("/login/", {"username": user.username, "password": password}).status_code
            == 302
        )
    else:
        client.force_login(user)
    return client


def change(client, old, new):
    return client.post(
        "/account/password/", {"old_password": old, "new_password1": new, "new_password2": new}
    )


def test_it_hashes_with_argon2_in_production(settings):
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    assert identify_hasher(make_password(STRONG)).algorithm == "argon2"


def test_it_upgrades_an_older_hash_to_argon2_at_sign_in(settings, alice):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    signed_in(alice, "pw-alice")
    alice.refresh_from_db()
    assert alice.password.startswith("argon2$")
    assert not UserSession.objects.filter(
        user=alice, ended_at__isnull=False
    ).exists()  # an upgrade is no change


@pytest.mark.parametrize(
    ("weak", "why"),
    [
        ("alice2026", "too short"),
        ("featherstonehaugh1", "too similar"),
        ("password1234", "too common"),
        ("739104662518", "entirely numeric"),
    ],
)
def test_it_refuses_a_weak_new_password(alice, weak, why):
    alice.last_name = "Featherstonehaugh"
    alice.save()
    client = signed_in(alice)
    response = change(client, "pw-alice", weak)
    assert response.status_code == 200
    assert why in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password("pw-alice")


def test_it_refuses_a_wrong_current_password(alice):
    response = change(signed_in(alice), "not-my-password", STRONG)
    assert response.status_code == 200 and "incorrect" in response.content.decode()


def test_it_ends_every_other_session_and_keeps_this_one(alice):
    laptop, phone = signed_in(alice), signed_in(alice)
    phone_key = phone.cookies["sessionid"].value

    response = change(laptop, "pw-alice", STRONG)

    assert response.status_code == 302
    assert laptop.get("/account/sessions/").status_code == 200
    assert phone.get("/account/sessions/").status_code == 302  # sent to sign in
    ended = UserSession.objects.get(session_key=phone_key)
    assert ended.end_reason == EndReason.PASSWORD_CHANGED
    alice.refresh_from_db()
    assert alice.check_password(STRONG)


def test_seed_demo_users_still_sign_in_with_the_demo_password(db):
    from django.core.management import call_command

    call_command("seed_demo")
    assert (
        Client().post("/login/", {"username": "alice", "password": "consult-demo"}).status_code
        == 302
    )
