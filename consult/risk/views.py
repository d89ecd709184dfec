from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from consult.core.errors import ConsultError
from consult.core.forms import form_confirmations, form_error
from consult.records.access import can_edit_records
from consult.records.links import urgent_consult_url
from consult.records.views import case_or_404
from consult.risk import services
from consult.risk.forms import RiskForm
from consult.risk.selectors import risk_history


@login_required
def risk_picture(request, code):
    case = case_or_404(request.user, code, viewing="risk" if request.method == "GET" else None)
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
            "can_edit": can_edit_records(request.user, case),
            "raised": request.GET.get("raised") == "1",
            "urgent_consult_url": urgent_consult_url(case),
        },
        status=status,
    )
