"""Your sessions and your password: list, sign out one or all others, change the password.

Views stay thin: every change goes through consult/accounts/sessions.py or services.py.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import HASH_SESSION_KEY, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from consult.accounts.devices import device_label
from consult.accounts.models import EndReason
from consult.accounts.services import user_password_set
from consult.accounts.session_limits import passive_session
from consult.accounts.sessions import (
    active_sessions,
    session_deadline,
    session_end,
    session_touch,
    sessions_end_for_user,
)


@login_required
@require_GET
def session_list(request):
    current = request.user_session
    rows = [
        {"row": row, "device": device_label(row.user_agent), "current": row.pk == current.pk}
        for row in active_sessions(request.user)
    ]
    return render(
        request,
        "accounts/sessions.html",
        {
            "sessions": rows,
            "others": len(rows) - 1,
            "idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
            "max_hours": settings.SESSION_MAX_SECONDS // 3600,
        },
    )


@login_required
@require_POST
def session_sign_out(request, session_id):
    row = get_object_or_404(active_sessions(request.user), pk=session_id)
    if row.pk == request.user_session.pk:
        logout(request)
        return redirect(settings.LOGOUT_REDIRECT_URL)
    session_end(row, reason=EndReason.REVOKED, actor=request.user)
    messages.success(request, f"Signed out {device_label(row.user_agent)}.")
    return redirect("account-sessions")


@login_required
@require_POST
def sessions_sign_out_others(request):
    ended = sessions_end_for_user(
        request.user,
        reason=EndReason.REVOKED,
        keep_session_id=request.user_session.pk,
        actor=request.user,
    )
    messages.success(
        request, f"Signed out everywhere else ({ended} session{'s' if ended != 1 else ''})."
    )
    return redirect("account-sessions")


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_password_set(
            user=request.user,
            password=form.cleaned_data["new_password1"],
            keep_session_id=request.user_session.pk,
        )
        # Keep this session signed in under its key: its sockets and its row follow the key,
        # and the key was issued fresh at sign-in (no fixation to undo).
        request.session[HASH_SESSION_KEY] = request.user.get_session_auth_hash()
        messages.success(request, "Password changed. Every other session was signed out.")
        return redirect("account-sessions")
    return render(request, "accounts/password_change.html", {"form": form})


@passive_session
@require_GET
def session_status(request):
    """When this session ends unless someone acts: what the browser's warning counts down to.
    Asking does not count as activity."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    return JsonResponse(_status(request.user_session))


@require_POST
def session_extend(request):
    """ "Stay signed in": activity, like any other request, but written at once."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    row = request.user_session
    if session_touch(row.pk):
        row.last_seen_at = timezone.now()
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(_status(row))
    return redirect(request.POST.get("next") or "home")


def _status(row):
    deadline = session_deadline(row)
    return {
        "signed_in": True,
        "deadline": deadline.isoformat(),
        "seconds_left": max(0.0, (deadline - timezone.now()).total_seconds()),
        "warn_seconds": settings.SESSION_WARN_SECONDS,
    }
