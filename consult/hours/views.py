from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render

from consult.audit.kinds import Action, user_stream
from consult.audit.services import audit_append
from consult.core.http import domain_errors
from consult.hours import selectors


@login_required
@domain_errors
def hours_page(request, user_id=None):
    chosen = request.GET.get("therapist", "")
    if user_id is None and not chosen.isdigit() and request.user.is_supervisor:
        return _team_overview(request)  # a supervisor comes for the people he supervises
    therapist, rows = _log(
        request, user_id or (int(chosen) if chosen.isdigit() else request.user.pk)
    )
    return render(
        request,
        "hours/log.html",
        {
            "therapist": therapist,
            "rows": rows,
            "total_minutes": sum(row.minutes for row in rows),
            "choices": selectors.therapists_visible_to(request.user),
        },
    )


@login_required
@domain_errors
def hours_csv(request, user_id):
    therapist, rows = _log(request, user_id)
    with transaction.atomic():  # an export of someone's record is itself on their trail
        audit_append(
            action=Action.HOURS_EXPORTED,
            actor=request.user,
            stream=user_stream(therapist.pk),
            payload={"therapist_id": therapist.pk, "rows": len(rows)},
        )
    response = HttpResponse(selectors.supervision_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="supervision-hours-{therapist.username}.csv"'
    )
    return response


def _team_overview(request):
    therapists = [
        t for t in selectors.therapists_visible_to(request.user) if t.pk != request.user.pk
    ]
    summaries = []
    for therapist in therapists:
        _, rows = _log(request, therapist.pk)
        summaries.append(
            {
                "therapist": therapist,
                "sessions": len(rows),
                "minutes": sum(row.minutes for row in rows),
            }
        )
    return render(request, "hours/team.html", {"summaries": summaries})


def _log(request, user_id):
    therapist, team_ids = selectors.therapist_for_viewer(request.user, user_id)
    return therapist, selectors.supervision_log(therapist, team_ids=team_ids)
