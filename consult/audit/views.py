from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from consult.accounts.mfa_views import step_up_redirect
from consult.audit import selectors
from consult.audit.access import case_for_auditor
from consult.audit.export import audit_export
from consult.core.errors import NotFound


@login_required
def case_audit(request, code):
    try:
        case = case_for_auditor(request.user, code)
    except NotFound:
        raise Http404("No such case") from None
    action, actor = request.GET.get("action", ""), request.GET.get("actor", "")
    context = {
        "case": case,
        "report": selectors.case_trail_report(case),
        "events": selectors.case_events(case, action=action, actor_id=actor),
        "actions": selectors.case_actions(case),
        "actors": selectors.case_actors(case),
        "action": action,
        "actor": actor,
        "limit": selectors.PAGE_LIMIT,
    }
    return render(request, "audit/case_audit.html", context)


@login_required
def case_audit_export(request, code):
    """Needs a fresh MFA code, asked for once the user may read the trail (outsiders get 404)."""
    try:
        case_for_auditor(request.user, code)
    except NotFound:
        raise Http404("No such case") from None
    if stepping_up := step_up_redirect(request):
        return stepping_up
    try:
        case, lines = audit_export(actor=request.user, case_code=code)
    except NotFound:
        raise Http404("No such case") from None
    response = HttpResponse(b"".join(lines), content_type="application/x-ndjson")
    response["Content-Disposition"] = f'attachment; filename="audit-{case.code}.jsonl"'
    return response
