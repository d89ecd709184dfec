"""Sign-in, failed sign-in, lockout and sign-out land on the trail, from Django's and axes' signals.

The signals fire wherever authentication happens (the login page, the admin's login), so no
view has to remember. Nothing typed is recorded: an unknown username only as its SHA-256.
"""

import hashlib

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from consult.accounts import security_events as events


@receiver(user_logged_in, dispatch_uid="security_login_succeeded")
def login_succeeded(sender, request, user, **kwargs):
    events.security_event_record(events.LOGIN_SUCCEEDED, user=user)


@receiver(user_login_failed, dispatch_uid="security_login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    user, ids = _account(credentials)
    events.security_event_record(
        events.LOGIN_FAILED, user=user, actor=None, reason=_failure_reason(request), **ids
    )


@receiver(user_locked_out, dispatch_uid="security_login_locked")
def login_locked(sender, request=None, username=None, **kwargs):
    # axes sends this on the failure that locks the account, and again on every attempt while
    # it is locked; only the first is a new event (the others are each a login_failed "locked").
    if request is None or getattr(request, "axes_failures_since_start", None) is None:
        return
    user, ids = _account({"username": username})
    events.security_event_record(
        events.LOGIN_LOCKED,
        user=user,
        actor=None,
        failures=request.axes_failures_since_start,
        **ids,
    )


@receiver(user_logged_out, dispatch_uid="security_logout")
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        events.security_event_record(events.LOGOUT, user=user)


def _account(credentials):
    """The account a username names, or None and the username's hash when it names none."""
    username = (credentials or {}).get("username") or ""
    user = get_user_model().objects.filter(username=username).first() if username else None
    if user is not None:
        return user, {}
    return None, {"username_sha256": hashlib.sha256(username.encode()).hexdigest()}


def _failure_reason(request):
    # axes' backend marks a request it refused because the account was already locked before
    # the failure signal runs; a failure that is counted leaves axes_failures_since_start set.
    already_locked = (
        getattr(request, "axes_locked_out", False)
        and getattr(request, "axes_failures_since_start", None) is None
    )
    return "locked" if already_locked else "bad_credentials"
