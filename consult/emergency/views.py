"""Emergency access pages: ask for a case outside your team,
and the admins' review of every grant."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from consult.accounts import mfa
from consult.accounts.mfa_views import step_up_redirect
from consult.cases.access import may_break_glass
from consult.core.errors import ConsultError, IdentifierFound, NotFound
from consult.core.http import domain_errors, error_status
from consult.emergency import services


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def emergency_request(request):
    """GET asks for a fresh code first (then comes back); POST grants, or says why not, with
    the status of the refusal (403 without a fresh code, 404 for no such case)."""
    if not may_break_glass(request.user):  # the page does not exist for other roles
        raise NotFound("emergency access is for supervisors and admins")
    if request.method == "GET" and (stepping_up := step_up_redirect(request)):
        return stepping_up
    error, flagged, status = None, None, 200
    case_code, reason = (
        request.POST.get("case", request.GET.get("case", "")),
        request.POST.get("reason", ""),
    )
    if request.method == "POST":
        try:
            grant = services.emergency_grant(
                actor=request.user,
                case_code=case_code,
                reason=reason,
                stepped_up=mfa.step_up_is_fresh(request.session),
            )
            return redirect("case-room", code=grant.case.code)
        except IdentifierFound as found:
            error, flagged = found.message, [reason[f.start : f.end] for f in found.findings]
            status = error_status(found)
        except ConsultError as refusal:
            error, status = refusal.message, error_status(refusal)
    context = {
        "case": case_code,
        "reason": reason,
        "error": error,
        "flagged": flagged,
        "minutes": settings.BREAK_GLASS_MINUTES,
        "stale": not mfa.step_up_is_fresh(request.session),
    }
    return render(request, "emergency/request.html", context, status=status)


@login_required
@domain_errors
def emergency_review(request):
    """Every grant, newest first, for the admins' after-the-fact review."""
    grants = services.grants_for_review(actor=request.user)
    return render(request, "emergency/review.html", {"grants": grants})
