from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from consult.cases.access import visible_cases
from consult.cases.selectors import cases_by_risk
from consult.core.errors import AccessDenied, ConsultError, NotFound
from consult.core.http import domain_errors
from consult.deid.forms import form_error
from consult.records.reviews import selectors, services
from consult.records.reviews.forms import ReviewForm


@login_required
@domain_errors
def review_list(request):
    can_schedule = bool(selectors.teams_to_schedule(request.user))
    return render(
        request,
        "reviews/list.html",
        {"sessions": selectors.reviews_of(request.user), "can_schedule": can_schedule},
    )


@login_required
@domain_errors
def review_new(request):
    teams = services.review_scheduling_teams(actor=request.user)
    cases = cases_by_risk(
        visible_cases(request.user).filter(team__in=teams).exclude(status="closed"), sort="risk"
    )
    form = ReviewForm(request.POST or None, teams=teams, cases=cases)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.review_schedule(
                actor=request.user,
                team_id=int(data["team"]),
                scheduled_at=data["scheduled_at"],
                case_codes=data["cases"],
                planned_minutes=data["planned_minutes"],
            )
            return redirect("review-room", session_id=session.pk)
        except ConsultError as error:
            form_error(form, error, data)
    return render(request, "reviews/new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@domain_errors
def review_room(request, session_id):
    session = selectors.review_for_member(request.user, session_id)
    return render(
        request,
        "reviews/room.html",
        {
            "session": session,
            "agenda": selectors.agenda_of(session),
            "is_facilitator": session.facilitator_id == request.user.pk,
            "attendance": session.attendance.select_related("user"),
        },
    )


@login_required
@require_POST
@domain_errors
def review_open(request, session_id):
    try:
        services.review_open(actor=request.user, session_id=session_id)
    except (NotFound, AccessDenied):
        raise  # refusals: 404, 403 (@domain_errors)
    except ConsultError:
        pass  # already open or closed: the room page says which
    return redirect("review-room", session_id=session_id)
