"""Editing a case: its owner and its team's supervisors; other members 403, outsiders 404."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from consult.cases import services
from consult.cases.access import Need, case_for
from consult.cases.forms import CaseEditForm
from consult.core.errors import ConsultError
from consult.core.http import domain_errors
from consult.deid.forms import form_confirmations, form_error


@login_required
@domain_errors
def case_edit(request, code):
    case = case_for(request.user, code, need=Need.EDITOR)
    initial = {"title": case.title, "summary": case.summary, "status": case.status}
    form = CaseEditForm(request.POST or None, initial=initial)
    flagged = None
    if request.method == "POST" and form.is_valid():
        try:
            services.case_edit(
                actor=request.user,
                case_code=code,
                confirmations=form_confirmations(form),
                **form.cleaned_data,
            )
            return redirect("case-room", code=code)
        except ConsultError as error:
            flagged, _ = form_error(form, error, form.cleaned_data)
    context = {"case": case, "form": form, "flagged": flagged}
    return render(request, "cases/edit.html", context, status=400 if form.errors else 200)
