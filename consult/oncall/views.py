"""HTTP transport for consults, pages and the rota:
parse → service → JSON or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from consult.cases.access import case_for
from consult.core.errors import ConsultError, IdentifierFound, ValidationFailed
from consult.core.forms import posted_moment
from consult.core.http import domain_errors, error_status
from consult.deid.forms import CONFIRM_FIELD, ticked_confirmations
from consult.deid.guard import flagged_spans
from consult.events.serializers import consult_dict
from consult.oncall import consults, rota, selectors
from consult.oncall.models import WARNING_SIGNS
from consult.realtime.protocol import posted_confirmations


def _int(value, field):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{field} must be a number", field=field) from None


def _confirmations(request, field=None):
    """The writer's "not an identifier" spans (`confirmations`: {field: [{start, end, kind}]} as
    JSON): all of them, or one field's."""
    confirmations = posted_confirmations(request.POST.get("confirmations"))
    return confirmations if field is None else confirmations.get(field, ())


@login_required
@require_POST
@domain_errors(json=True)
def consult_new(request):
    data = request.POST
    consult = consults.consult_request(
        actor=request.user,
        kind=data.get("kind", ""),
        question=data.get("question", ""),
        case_code=data.get("case") or None,
        team_id=_int(data["team"], "team") if data.get("team") else None,
        signs={name: data.get(name) in ("on", "true", "1") for name in WARNING_SIGNS},
        signs_note=data.get("signs_note", ""),
        confirmations=_confirmations(request),
    )
    return JsonResponse({"consult": consult_dict(consult)}, status=201)


@login_required
@require_POST
@domain_errors(json=True)
def consult_ack(request, consult_id):
    consult = consults.page_acknowledge(actor=request.user, consult_id=consult_id)
    return JsonResponse({"consult": consult_dict(consult)})


@login_required
@require_POST
@domain_errors(json=True)
def consult_resolve(request, consult_id):
    consult = consults.consult_resolve(
        actor=request.user,
        consult_id=consult_id,
        outcome=request.POST.get("outcome", ""),
        confirmations=_confirmations(request, "outcome"),
    )
    return JsonResponse({"consult": consult_dict(consult)})


@login_required
@require_POST
@domain_errors(json=True)
def consult_repage(request, consult_id):
    data = request.POST
    consult = consults.consult_repage(
        actor=request.user,
        consult_id=consult_id,
        facts=data.get("facts", ""),
        signs_note=data.get("signs_note", ""),
        signs={name: data.get(name) in ("on", "true", "1") for name in WARNING_SIGNS},
        confirmations=_confirmations(request),
    )
    return JsonResponse({"consult": consult_dict(consult)})


@login_required
@require_POST
@domain_errors(json=True)
def page_decline(request, page_id):
    consult = consults.page_decline(
        actor=request.user,
        page_id=page_id,
        reason=request.POST.get("reason", ""),
        confirmations=_confirmations(request, "reason"),
    )
    return JsonResponse({"consult": consult_dict(consult)})


@login_required
@require_GET
@domain_errors(json=True)
def case_consults(request, code):
    case = case_for(request.user, code)
    return JsonResponse({"consults": [consult_dict(c) for c in selectors.case_consults(case)]})


@login_required
@domain_errors
def rota_page(request):
    error, status, flagged = None, 200, None
    if request.method == "POST":
        try:
            messages.success(request, _rota_change(request))
            return redirect("oncall-rota")
        except IdentifierFound as failure:  # the webhook URL: shown again, its spans to confirm
            error, status = failure.message, 400
            flagged = {
                "team": request.POST.get("team"),
                "url": request.POST.get("webhook_url", ""),
                "spans": flagged_spans(failure, {}).get("webhook_url", []),
            }
        except ConsultError as failure:
            error, status = failure.message, error_status(failure)
    now = timezone.now()
    teams = [
        {
            "team": team,
            "manage": rota.can_manage_rota(request.user, team.pk),
            "now": rota.on_call_now(team.pk, now=now),
            "settings": rota.paging_settings(team.pk),
            "supervisors": rota.team_supervisors(team.pk),
            "shifts": selectors.upcoming_shifts(team, now=now),
            "flagged": flagged if flagged and flagged["team"] == str(team.pk) else None,
        }
        for team in request.user.teams.order_by("name")
    ]
    return render(request, "oncall/rota.html", {"teams": teams, "error": error}, status=status)


def _rota_change(request):
    """Make the change the form asks for; returns the sentence that tells the user it is done."""
    data, actor = request.POST, request.user
    if data.get("action") == "add":
        rota.shift_add(
            actor=actor,
            team_id=_int(data.get("team"), "team"),
            supervisor_id=_int(data.get("supervisor"), "supervisor"),
            tier=_int(data.get("tier"), "tier"),
            starts_at=posted_moment(data.get("starts_at"), "starts_at"),
            ends_at=posted_moment(data.get("ends_at"), "ends_at"),
        )
        return "Shift added."
    if data.get("action") == "remove":
        rota.shift_remove(actor=actor, shift_id=_int(data.get("shift"), "shift"))
        return "Shift removed."
    if data.get("action") == "settings":
        rota.paging_settings_update(
            actor=actor,
            team_id=_int(data.get("team"), "team"),
            ack_seconds=_int(data.get("ack_seconds"), "ack_seconds"),
            webhook_url=data.get("webhook_url", "").strip(),
            confirmations=ticked_confirmations(data.getlist(CONFIRM_FIELD)).get("webhook_url", ()),
        )
        return "Paging settings saved."
    raise ValidationFailed("unknown rota action", field="action")
