from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from consult.cases.access import Need, allows, case_for
from consult.cases.services import case_view
from consult.core.errors import ConsultError, NotFound
from consult.core.http import domain_errors
from consult.deid.forms import form_confirmations, form_error
from consult.records.guidance import selectors, services
from consult.records.guidance.forms import GuidanceForm
from consult.records.guidance.panel import records_context


@login_required
@domain_errors
def guidance_log(request, code):
    if request.method == "POST":  # who may log, before what the form says
        case = case_for(request.user, code, need=Need.SUPERVISOR)
    else:
        case = case_view(actor=request.user, case_code=code, page="guidance")
    form = GuidanceForm(request.POST or None, consults=case.consult_requests.all())
    flagged, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["consult_id"] = data.pop("consult")
            try:
                services.guidance_log(
                    actor=request.user,
                    case_code=code,
                    confirmations=form_confirmations(form),
                    **data,
                )
                return redirect("guidance-log", code=code)
            except ConsultError as error:
                flagged, status = form_error(form, error, form.cleaned_data)
    return render(
        request,
        "guidance/log.html",
        {
            "case": case,
            "form": form,
            "flagged": flagged,
            "entries": selectors.guidance_entries(case),
            "is_supervisor": allows(request.user, case, Need.SUPERVISOR),
            "is_owner": allows(request.user, case, Need.OWNER),
        },
        status=status,
    )


@login_required
@domain_errors
def guidance_amend(request, code, entry_id):
    case = case_for(request.user, code, need=Need.SUPERVISOR)
    entry = selectors.guidance_entry(case, entry_id)
    if entry is None:
        raise NotFound("no such guidance entry")
    initial = {
        name: getattr(entry, name)
        for name in ("assessment", "recommendation", "actions", "follow_up_due", "session_minutes")
    }
    form = GuidanceForm(request.POST or None, initial=initial)
    del form.fields["consult"]  # an amendment stays tied to the entry's consult
    flagged, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.guidance_amend(
                    actor=request.user,
                    case_code=code,
                    entry_id=entry.pk,
                    confirmations=form_confirmations(form),
                    **form.cleaned_data,
                )
                return redirect("guidance-log", code=code)
            except ConsultError as error:
                flagged, status = form_error(form, error, form.cleaned_data)
    return render(
        request,
        "guidance/amend.html",
        {"case": case, "entry": entry, "form": form, "flagged": flagged},
        status=status,
    )


@login_required
@require_POST
@domain_errors
def guidance_acknowledge(request, code, entry_id):
    services.guidance_acknowledge(actor=request.user, case_code=code, entry_id=entry_id)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"ok": True})
    messages.success(request, "Guidance acknowledged.")
    return redirect(
        "case-room" if request.POST.get("next") == "room" else "guidance-log", code=code
    )


@login_required
@domain_errors
def records_panel(request, code):
    """The case's records panel (guidance, review minutes) as an HTML fragment for the live room."""
    case = case_for(request.user, code)
    return render(request, "records/_case_records.html", records_context(request.user, case))
