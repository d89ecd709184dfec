from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from consult.cases import search, services
from consult.cases.access import visible_cases
from consult.cases.activity import with_activity
from consult.cases.forms import CaseForm
from consult.cases.models import RiskLevel
from consult.cases.selectors import cases_by_risk, with_case_list_marks
from consult.core.errors import ConsultError
from consult.core.http import domain_errors
from consult.deid.forms import form_confirmations, form_error


@login_required
@domain_errors
def case_list(request):
    risk, sort = request.GET.get("risk", ""), request.GET.get("sort", "updated")
    cases = cases_by_risk(
        with_activity(visible_cases(request.user), request.user), level=risk, sort=sort
    )
    cases = with_case_list_marks(cases)  # e.g. oncall's active_consult
    return render(
        request,
        "cases/list.html",
        {"cases": cases, "risk": risk, "sort": sort, "risk_levels": RiskLevel.choices},
    )


@login_required
@domain_errors
def case_new(request):
    teams = request.user.teams.order_by("name")
    form = CaseForm(request.POST or None, teams=teams)
    flagged = None
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(
                actor=request.user,
                team_id=int(form.cleaned_data["team"]),
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                risk_level=form.cleaned_data["risk_level"],
                confirmations=form_confirmations(form),
            )
            return redirect("case-room", code=case.code)
        except ConsultError as error:
            flagged, _ = form_error(form, error, form.cleaned_data)
    return render(
        request,
        "cases/new.html",
        {"form": form, "flagged": flagged},
        status=400 if form.errors else 200,
    )


@login_required
@domain_errors
def case_room(request, code):
    case = services.case_view(actor=request.user, case_code=code)
    return render(request, "cases/room.html", {"case": case})


@login_required
@domain_errors
def message_search(request):
    query, results, error = request.GET.get("q", ""), [], None
    if query.strip():
        try:
            found = search.message_search(actor=request.user, query=query)
            results = [(message, search.snippet(message.body, query)) for message in found]
        except ConsultError as failure:
            error = failure.message
    return render(
        request,
        "cases/search.html",
        {"query": query, "results": results, "error": error, "limit": search.RESULTS_MAX},
        status=400 if error else 200,
    )
