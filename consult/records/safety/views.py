from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from consult.cases.access import Need, allows, case_for
from consult.core.errors import ConsultError, NotFound
from consult.core.http import domain_errors
from consult.deid.forms import form_confirmations, form_error
from consult.records.safety import services
from consult.records.safety.diff import compare_plans
from consult.records.safety.forms import SafetyPlanForm
from consult.records.safety.models import SECTIONS


@login_required
@domain_errors
def plan_current(request, code):
    case, versions = services.plan_versions(actor=request.user, case_code=code)
    return render(
        request,
        "safety/plan.html",
        {
            "case": case,
            "plan": versions[0] if versions else None,
            "versions": versions,
            "can_edit": allows(request.user, case, Need.EDITOR),
        },
    )


@login_required
@domain_errors
def plan_edit(request, code):
    case = case_for(request.user, code, need=Need.EDITOR)
    latest = services.plan_latest(case)
    form = SafetyPlanForm(
        request.POST or None, initial=latest.sections() if latest else services.plan_blank()
    )
    flagged, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.safety_plan_save(
                    actor=request.user,
                    case_code=code,
                    sections=form.cleaned_data,
                    confirmations=form_confirmations(form),
                )
                return redirect("safety-plan", code=code)
            except ConsultError as error:
                flagged, status = form_error(form, error, form.cleaned_data)
    return render(
        request, "safety/edit.html", {"case": case, "form": form, "flagged": flagged}, status=status
    )


@login_required
@domain_errors
def plan_version(request, code, version):
    case, plan = services.plan_version(actor=request.user, case_code=code, version=version)
    return render(request, "safety/version.html", {"case": case, "plan": plan})


@login_required
@domain_errors
def plan_print(request, code, version):
    case, plan = services.plan_version(actor=request.user, case_code=code, version=version)
    return render(request, "safety/print.html", {"case": case, "plan": plan})


@login_required
@domain_errors
def plan_compare(request, code):
    case, versions = services.plan_versions(actor=request.user, case_code=code)
    by_number = {plan.version: plan for plan in versions}
    try:
        old, new = sorted(
            (by_number[int(request.GET["a"])], by_number[int(request.GET["b"])]),
            key=lambda plan: plan.version,
        )
    except (KeyError, ValueError):
        raise NotFound("pick two versions of this plan") from None
    return render(
        request,
        "safety/compare.html",
        {
            "case": case,
            "old": old,
            "new": new,
            "sections": compare_plans(old, new, SECTIONS),
        },
    )
