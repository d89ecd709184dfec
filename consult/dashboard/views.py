"""The dashboard: who is on call, open consults (live over /ws/me/), follow-ups and turnaround.

A page that reads from several apps (paging, follow-ups, guidance), so it sits above them all."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from consult.cases.access import visible_cases
from consult.core.http import domain_errors
from consult.dashboard.selectors import turnaround
from consult.oncall.models import WARNING_SIGNS
from consult.oncall.selectors import on_call_by_team, supervised_team_ids
from consult.records.followups.selectors import my_followups, overdue_followups


@login_required
@domain_errors
def dashboard(request):
    user = request.user
    teams = supervised_team_ids(user)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "on_call": on_call_by_team(user),
            "cases": visible_cases(user).order_by("code"),
            "teams": user.teams.order_by("name"),
            "signs": WARNING_SIGNS,
            "overdue": overdue_followups(teams),
            "my_followups": my_followups(user),
            "turnaround": [
                (t, turnaround(t.pk)) for t in user.teams.filter(pk__in=teams).order_by("name")
            ],
        },
    )
