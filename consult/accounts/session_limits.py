"""Automatic logoff on every request: a session past its idle or absolute deadline is signed out.

Runs after AuthenticationMiddleware. A request counts as activity unless its view is marked
`passive_session` (the browser's deadline poll, which must not keep an idle session alive).
"""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from consult.accounts.sessions import (
    activity_write_seconds,
    current_session,
    lapsed_reason,
    session_end,
    session_start,
    session_touch,
)


def passive_session(view):
    """Mark a view whose requests must not count as activity."""
    view.passive_session = True
    return view


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        row = current_session(request)
        if row is None:  # signed in before sessions were tracked (or the row is gone): track it now
            row = session_start(user=request.user, request=request)
        now = timezone.now()
        reason = lapsed_reason(row, now)
        if row.ended_at is not None or reason is not None:
            if row.ended_at is None:
                session_end(row, reason=reason, now=now)
            # Signed out by the system, not by the user: logout() would record `auth.logout`.
            request.session.flush()
            request.user = AnonymousUser()  # the view sees a visitor: sign-in pages redirect
            return None
        if row.session_key != request.session.session_key:
            row.session_key = request.session.session_key  # cycled by Django: follow it
            row.save(update_fields=["session_key"])
        if (
            not getattr(view_func, "passive_session", False)
            and (now - row.last_seen_at).total_seconds() >= activity_write_seconds()
        ):
            session_touch(row.pk, now=now)
            row.last_seen_at = now
        request.user_session = row
        return None
