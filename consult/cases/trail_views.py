"""A case's audit trail page and its export (the trail itself is the audit app's)."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render

from consult.accounts.mfa_views import step_up_redirect
from consult.audit import selectors
from consult.audit.export import audit_export
from consult.cases.access import Need, case_for
from consult.core.http import domain_errors


@login_required
@domain_errors
def case_audit(request, code):
    case = case_for(request.user, code, need=Need.AUDITOR)
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
@domain_errors
def case_audit_export(request, code):
    """Needs a fresh MFA code, asked for once the user may read the trail (outsiders get 404)."""
    case_for(request.user, code, need=Need.AUDITOR)
    if stepping_up := step_up_redirect(request):
        return stepping_up
    with transaction.atomic():  # the access check and the export's own event: one transaction
        case = case_for(request.user, code, need=Need.AUDITOR)
        lines = audit_export(actor=request.user, case=case)
    response = HttpResponse(b"".join(lines), content_type="application/x-ndjson")
    response["Content-Disposition"] = f'attachment; filename="audit-{case.code}.jsonl"'
    return response
