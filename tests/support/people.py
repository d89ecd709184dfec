"""Making the personas of tests/conftest.py (and any one-off user) and signing them in with MFA."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from consult.accounts import mfa
from consult.accounts.models import Membership, User


def make_user(username, role, team):
    """A user in `team` whose password is "pw-<username>", with an authenticator app when the
    role needs MFA. Use the persona of that name in tests/conftest.py if there is one."""
    user = User.objects.create_user(
        username, password="pw-" + username, first_name=username.title(), role=role
    )
    Membership.objects.create(team=team, user=user)
    if mfa.mfa_required(user):
        authenticator(user)
    return user


def authenticator(user):
    """The user's authenticator app (a confirmed TOTP device); made on first call."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": mfa.TOTP_NAME}
    )
    return device


def totp_code(device):
    """The code the user's app shows now. The device accepts each time step once and, after a
    wrong code, waits a second or more before it checks another: both are forgotten first, as
    they would be by a user who waited, so a test may sign the same user in twice in 30 s."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(
        device.digits
    )
