"""Editing a case: its owner and its team's supervisors; other members 403, outsiders 404."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from consult.cases import services
from consult.cases.access import Need, case_for
from consult.cases.forms import CaseEditForm
from consult.core.errors import AccessDenied, ConsultError, NotFound
from consult.core.forms import form_confirmations, form_error


@login_required
def case_edit(request, code):
    case = _editable_case(request.user, code)
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


def _editable_case(user, code):
    try:
        return case_for(user, code, need=Need.EDITOR)
    except NotFound:
        raise Http404("No such case") from None
    except AccessDenied as error:
        raise PermissionDenied(error.message) from None
