"""The supervisors' page of confirmed false alarms, and the redaction button on each row."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from consult.core.errors import AccessDenied, ConsultError, NotFound
from consult.falsealarms import services


@login_required
def false_alarm_list(request):
    try:
        alarms = services.false_alarms_for(actor=request.user)
    except AccessDenied as error:
        raise PermissionDenied(error.message) from None
    return render(
        request,
        "falsealarms/list.html",
        {
            "alarms": alarms,
            "placeholder": services.PLACEHOLDER,
            "error": request.session.pop("false_alarm_error", None),
        },
    )


@login_required
@require_POST
def false_alarm_redact(request, confirmation_id):
    try:
        services.false_alarm_redact(actor=request.user, confirmation_id=confirmation_id)
    except NotFound:
        raise Http404("No such confirmation") from None
    except AccessDenied as error:
        raise PermissionDenied(error.message) from None
    except ConsultError as error:
        request.session["false_alarm_error"] = error.message
        return redirect("false-alarms")
    return redirect("false-alarms")
