"""The MFA gate for pages: until the second factor is done, only the MFA pages and sign-out open.

A session whose user has an authenticator but gave no code yet is sent to the code page; a user
whose role needs MFA (MFA_REQUIRED_ROLES) and has none is sent to enrolment. Sockets have their
own gate (consult/accounts/socket_sign_in.py).
"""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from consult.accounts import mfa

# Paths a signed-in user reaches before the second factor: the MFA pages, sign-in and sign-out,
# static files, the web app's shell (manifest, service worker, offline page, icon: no clinical
# content, and a service worker script must not be redirected) and the probes.
OPEN_PREFIXES = (
    "/account/mfa/",
    "/login/",
    "/logout/",
    "/static/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/manifest.webmanifest",
    "/sw.js",
    "/offline/",
    "/favicon.ico",
)


class MfaGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(OPEN_PREFIXES):
            user = request.user
            pending = mfa.mfa_pending(
                user, request.session, verified=user.is_authenticated and user.is_verified()
            )
            if pending is not None:
                page = "mfa-verify" if pending == mfa.VERIFY else "mfa-enrol"
                return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
