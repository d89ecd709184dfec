"""The supervisors' page of confirmed false alarms, and the redaction button on each row."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from consult.core.errors import AccessDenied, ConsultError, NotFound
from consult.core.http import domain_errors
from consult.falsealarms import services


@login_required
@domain_errors
def false_alarm_list(request):
    alarms = services.false_alarms_for(actor=request.user)
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
@domain_errors
def false_alarm_redact(request, confirmation_id):
    try:
        services.false_alarm_redact(actor=request.user, confirmation_id=confirmation_id)
    except (NotFound, AccessDenied):
        raise  # refusals: 404, 403 (@domain_errors)
    except ConsultError as error:  # the span cannot be redacted: the list says why
        request.session["false_alarm_error"] = error.message
        return redirect("false-alarms")
    return redirect("false-alarms")
