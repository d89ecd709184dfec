"""What a locked-out sign-in sees, and which client address counts toward a lockout."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render

LOCKED_MESSAGE = (
    "Too many failed sign-ins: this account is locked for {minutes} minutes. "
    "Try again later, or ask an administrator to unlock it."
)


def lockout_message():
    return LOCKED_MESSAGE.format(minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    """The sign-in page again, with the lockout said plainly (429, so scripts see it too)."""
    form = AuthenticationForm(request)
    context = {
        "form": form,
        "locked_message": lockout_message(),
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


def client_address(request):
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost one saw.

    Each proxy appends the address it received from to X-Forwarded-For, so the entry
    TRUSTED_PROXY_COUNT from the end is the client's; anything left of it the client wrote.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")
