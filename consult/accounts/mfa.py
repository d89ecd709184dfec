"""Multi-factor authentication: TOTP apps and one-time recovery codes (django-otp).

A user's second factor is a confirmed TOTPDevice (an authenticator app) and a StaticDevice
holding recovery codes, each accepted once. A session is *verified* once a code was accepted in
it (django-otp keeps the device's id in the session); `MFA_VERIFIED_AT` keeps when, so that
actions that need a fresh code (audit exports, emergency access) can ask again after
MFA_STEP_UP_MINUTES.

    who                                        where the gate sends them
    has a confirmed device, session unverified  the code page (VERIFY)
    role in MFA_REQUIRED_ROLES, no device       enrolment (ENROL)
    anyone else, or a verified session          through
"""

import time
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY, match_token
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from consult.accounts import security_events as events
from consult.accounts.sql import confirmed_device_exists
from consult.core.errors import ValidationFailed

MFA_VERIFIED_AT = "mfa_verified_at"
VERIFY, ENROL = "verify", "enrol"
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10


def mfa_required(user):
    return user.role in settings.MFA_REQUIRED_ROLES


def mfa_pending(user, session, *, verified=None):
    """VERIFY, ENROL or None: what the user must do before using the product in this session.

    `verified`, when known (django-otp's middleware checked the session's device already for a
    page), saves reading the device again.
    """
    if not user.is_authenticated:
        return None
    if verified if verified is not None else session_is_verified(user, session):
        return None
    return pending_for(user, verified=False, has_device=confirmed_device_exists(user.pk))


def pending_for(user, *, verified, has_device):
    """mfa_pending, given whether the session is verified and the user has a confirmed device."""
    if verified:
        return None
    if has_device:
        return VERIFY
    return ENROL if mfa_required(user) else None


def session_is_verified(user, session):
    """A code was accepted in this session, with a device of this user that is still confirmed."""
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == user.pk and device.confirmed


def step_up_is_fresh(session):
    verified_at = session.get(MFA_VERIFIED_AT)
    return (
        verified_at is not None and time.time() - verified_at <= settings.MFA_STEP_UP_MINUTES * 60
    )


def mfa_enrolment_device(user):
    """The user's TOTP device being enrolled: one unconfirmed device, made on first visit.

    Raises ValidationFailed when the user already has a confirmed app.
    """
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationFailed("an authenticator app is already enrolled", field="code")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def totp_secret(device):
    """The key as authenticator apps take it typed in (base32)."""
    return b32encode(device.bin_key).decode()


def totp_qr_svg(device):
    """The otpauth:// link as an SVG QR code, made here: the secret never leaves the server."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def mfa_enrol_confirm(*, request, device, token):
    """Confirm the app with a code from it; return the new recovery codes (shown once).

    The session counts as verified from here on, and the enrolment is on the user's trail.
    """
    user = request.user
    codes = None
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(
            pk=device.pk, user=user, confirmed=False
        )
        if device.verify_token(_digits(token)):  # a miss counts toward the device's throttle
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = recovery_codes_replace(user)
            events.security_event_record(
                events.MFA_ENROLLED, user=user, device="totp", recovery_codes=len(codes)
            )
        else:
            events.security_event_record(
                events.MFA_FAILED, user=user, device="totp", purpose="enrol"
            )
    if codes is None:
        raise ValidationFailed(
            "that code did not match: check the app's clock and try the newest code", field="code"
        )
    _mark_verified(request, device)
    return codes


def recovery_codes_replace(user):
    """Fresh recovery codes, the old ones void. Returns the codes: they are not shown again."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def mfa_verify(*, request, token, purpose):
    """Accept a code from the user's app or one recovery code (used up); False when none matches.

    `purpose` is "login" (the code page after the password) or "step_up".
    """
    user = request.user
    device = match_token(user, _digits(token) if token.strip().isdigit() else token.strip())
    if device is None:
        with transaction.atomic():
            events.security_event_record(
                events.MFA_FAILED, user=user, device="any", purpose=purpose
            )
        return False
    kind = "recovery_code" if isinstance(device, StaticDevice) else "totp"
    with transaction.atomic():
        events.security_event_record(events.MFA_VERIFIED, user=user, device=kind, purpose=purpose)
    _mark_verified(request, device)
    return True


def _mark_verified(request, device):
    otp_login(request, device)
    request.session[MFA_VERIFIED_AT] = time.time()


def _digits(token):
    return "".join(token.split())
