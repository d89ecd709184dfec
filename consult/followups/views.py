"""HTTP transport for follow-up check-ins: parse → service → JSON."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from consult.core.errors import AccessDenied, ConsultError, NotFound
from consult.core.forms import posted_moment
from consult.falsealarms.confirmations import posted_confirmations
from consult.followups.serializers import followup_dict
from consult.followups.services import followup_complete, followup_schedule

STATUS = {NotFound: 404, AccessDenied: 403}


def _answer(action):
    try:
        return JsonResponse({"followup": followup_dict(action())})
    except ConsultError as error:
        return JsonResponse({"error": error.as_dict()}, status=STATUS.get(type(error), 400))


@login_required
@require_POST
def followup_new(request):
    return _answer(
        lambda: followup_schedule(
            actor=request.user,
            case_code=request.POST.get("case", ""),
            due_at=posted_moment(request.POST.get("due_at"), "due_at"),
        )
    )


@login_required
@require_POST
def followup_done(request, followup_id):
    return _answer(
        lambda: followup_complete(
            actor=request.user,
            followup_id=followup_id,
            note=request.POST.get("note", ""),
            confirmations=posted_confirmations(request.POST.get("confirmations")).get("note", ()),
        )
    )
