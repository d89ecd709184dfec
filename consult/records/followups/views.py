"""HTTP transport for follow-up check-ins: parse → service → JSON."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from consult.core.forms import posted_moment
from consult.core.http import domain_errors
from consult.events.serializers import followup_dict
from consult.realtime.protocol import posted_confirmations
from consult.records.followups.services import followup_complete, followup_schedule


@login_required
@require_POST
@domain_errors(json=True)
def followup_new(request):
    followup = followup_schedule(
        actor=request.user,
        case_code=request.POST.get("case", ""),
        due_at=posted_moment(request.POST.get("due_at"), "due_at"),
    )
    return JsonResponse({"followup": followup_dict(followup)})


@login_required
@require_POST
@domain_errors(json=True)
def followup_done(request, followup_id):
    followup = followup_complete(
        actor=request.user,
        followup_id=followup_id,
        note=request.POST.get("note", ""),
        confirmations=posted_confirmations(request.POST.get("confirmations")).get("note", ()),
    )
    return JsonResponse({"followup": followup_dict(followup)})
