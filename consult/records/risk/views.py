from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from consult.cases.access import Need, allows, case_for
from consult.cases.services import case_view
from consult.core.errors import ConsultError
from consult.core.http import domain_errors
from consult.deid.forms import form_confirmations, form_error
from consult.records.links import urgent_consult_url
from consult.records.risk import services
from consult.records.risk.forms import RiskForm
from consult.records.risk.selectors import risk_history


@login_required
@domain_errors
def risk_picture(request, code):
    if request.method == "POST":  # who may change it, before what the form says
        case = case_for(request.user, code, need=Need.EDITOR)
    else:
        case = case_view(actor=request.user, case_code=code, page="risk")
    latest = services.latest_assessment(case)
    initial = {
        "level": case.risk_level,
        "signs": latest.signs if latest else [],
        "protective_factors": latest.protective_factors if latest else "",
    }
    form = RiskForm(request.POST or None, initial=initial)
    flagged, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                change = services.risk_update(
                    actor=request.user,
                    case_code=code,
                    confirmations=form_confirmations(form),
                    **form.cleaned_data,
                )
                url = reverse("risk-picture", args=[code])
                return redirect(url + ("?raised=1" if change.prompts_urgent_consult else ""))
            except ConsultError as error:
                flagged, status = form_error(form, error, form.cleaned_data)
        status = max(status, 400)
    return render(
        request,
        "risk/picture.html",
        {
            "case": case,
            "form": form,
            "flagged": flagged,
            "latest": latest,
            "history": risk_history(case),
            "can_edit": allows(request.user, case, Need.EDITOR),
            "raised": request.GET.get("raised") == "1",
            "urgent_consult_url": urgent_consult_url(case),
        },
        status=status,
    )
