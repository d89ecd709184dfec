"""MFA pages: enrol an authenticator app, give a code after the password, step up for an action."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods
from django_otp import user_has_device

from consult.accounts import mfa
from consult.core.errors import ValidationFailed


def step_up_redirect(request):
    """None when a code was given within MFA_STEP_UP_MINUTES;
    else the way to give one and come back."""
    if mfa.step_up_is_fresh(request.session):
        return None
    return redirect(f"{reverse('mfa-step-up')}?{urlencode({'next': request.get_full_path()})}")


def step_up_required(view):
    """The view needs a fresh code (step_up_redirect) before it runs."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return step_up_redirect(request) or view(request, *args, **kwargs)

    return wrapper


@login_required
@require_http_methods(["GET", "POST"])
def mfa_enrol(request):
    try:
        device = mfa.mfa_enrolment_device(request.user)
    except ValidationFailed:
        return render(request, "accounts/mfa_enrolled.html", {"next": _next(request)})
    error = None
    if request.method == "POST":
        try:
            codes = mfa.mfa_enrol_confirm(
                request=request, device=device, token=request.POST.get("code", "")
            )
        except ValidationFailed as failure:
            error = failure.message
        else:
            return render(
                request,
                "accounts/mfa_recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
    # The SVG is made by qrcode from our own link: paths only, no script or style attributes.
    context = {
        "qr_svg": mark_safe(mfa.totp_qr_svg(device)),
        "secret": mfa.totp_secret(device),
        "required": mfa.mfa_required(request.user),
        "error": error,
        "next": _next(request),
    }
    return render(request, "accounts/mfa_enrol.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    return _code_page(request, purpose="login")


@login_required
@require_http_methods(["GET", "POST"])
def mfa_step_up(request):
    if mfa.mfa_pending(request.user, request.session) == mfa.ENROL or not user_has_device(
        request.user
    ):
        return redirect(f"{reverse('mfa-enrol')}?{urlencode({'next': _next(request)})}")
    return _code_page(request, purpose="step_up")


def _code_page(request, *, purpose):
    failed = False
    if request.method == "POST":
        if mfa.mfa_verify(request=request, token=request.POST.get("code", ""), purpose=purpose):
            return redirect(_next(request))
        failed = True
    context = {"purpose": purpose, "failed": failed, "next": _next(request)}
    return render(request, "accounts/mfa_verify.html", context, status=400 if failed else 200)


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("case-list")
