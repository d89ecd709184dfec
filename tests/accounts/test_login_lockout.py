"""Ten wrong passwords lock an account for 15 minutes; the right one is then refused, plainly.

alice (tests/conftest.py) is a therapist; root, a superuser, unlocks her in Django admin.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from consult.accounts.models import Role, User
from tests.accounts.conftest import sign_in
from tests.support.audit import trail

pytestmark = pytest.mark.django_db


def lock_out(client, username):
    return [sign_in(client, username, f"wrong-{n}").status_code for n in range(11)]


def test_eleven_wrong_passwords_lock_the_account_and_the_right_one_is_refused(client, alice):
    assert lock_out(client, "alice") == [200] * 9 + [429, 429]
    response = sign_in(client, "alice", "pw-alice")
    assert response.status_code == 429
    assert "this account is locked for 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    actions = [action for action, _, _ in trail(alice)]
    # axes counts the tenth failure (and locks) before our receiver records that failure
    assert actions == ["auth.login_failed"] * 9 + ["auth.login_locked"] + ["auth.login_failed"] * 3
    assert [payload for action, _, payload in trail(alice) if action == "auth.login_failed"] == (
        [{"reason": "bad_credentials"}] * 10 + [{"reason": "locked"}] * 2
    )
    assert trail(alice)[9] == ("auth.login_locked", None, {"failures": 10})


def test_nine_wrong_passwords_do_not(client, alice):
    for n in range(9):
        sign_in(client, "alice", f"wrong-{n}")
    assert sign_in(client, "alice", "pw-alice").status_code == 302


def test_one_client_address_is_locked_out_across_accounts(client, alice, carol):
    for n in range(10):
        sign_in(client, "alice" if n % 2 else "carol", f"wrong-{n}")
    assert sign_in(client, "bob-who-does-not-exist", "x").status_code == 429


def test_the_lock_lifts_after_15_minutes(client, alice):
    lock_out(client, "alice")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, "alice", "pw-alice").status_code == 302


def test_an_admin_unlocks_the_account_in_django_admin(client, alice):
    lock_out(client, "alice")
    root = User.objects.create_superuser("root", password="pw-root", role=Role.ADMIN)
    admin = client.__class__()
    admin.force_login(root)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, "alice", "pw-alice").status_code == 302
