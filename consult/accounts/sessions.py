"""Signed-in sessions: started at sign-in, kept alive by activity, ended at once and everywhere.

Each Django session has a UserSession row (its id is kept in the session as SESSION_ROW).
Its deadline is the earlier of `last_seen_at + SESSION_IDLE_SECONDS` and `created_at +
SESSION_MAX_SECONDS`. Ending one, for any reason, is one function (`session_end`): the row is
marked in a conditional UPDATE (two sweeps, or a sweep and a sign-out, cannot both end it), the
Django session is deleted and every socket opened under it is closed with 4001, in the
transaction that ends it (consult/realtime/revocation.py).
"""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from consult.accounts import security_events as events
from consult.accounts.models import EndReason, UserSession
from consult.realtime.revocation import WS_CLOSE_SIGNED_OUT, close_session_sockets

SESSION_ROW = "consult_session_id"
SWEEP_BATCH = 200


def session_start(*, user, request):
    """Record the session a sign-in just made (its key is final: login() already cycled it)."""
    if request.session.session_key is None:  # login() flushed another user's session: no key yet
        request.session.save()
    now = timezone.now()
    # Signing in again as the same user keeps the session's key (login() cycles it only when
    # the session was someone else's): then it is the same session, and its row stays.
    row, _ = UserSession.objects.get_or_create(
        session_key=request.session.session_key,
        user=user,
        defaults={
            "created_at": now,
            "last_seen_at": now,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "ip": request.META.get("REMOTE_ADDR") or None,
        },
    )
    request.session[SESSION_ROW] = row.pk
    return row


def activity_write_seconds():
    """Activity is written at most this often per session or socket: a minute, or less when
    the idle limit is short enough for a minute to matter."""
    return min(60, settings.SESSION_IDLE_SECONDS // 10)


def session_deadline(row):
    return min(
        row.last_seen_at + timedelta(seconds=settings.SESSION_IDLE_SECONDS),
        row.created_at + timedelta(seconds=settings.SESSION_MAX_SECONDS),
    )


def lapsed_reason(row, now):
    """Why the session is over at `now` (idle or expired), or None while it lasts."""
    if now >= row.created_at + timedelta(seconds=settings.SESSION_MAX_SECONDS):
        return EndReason.EXPIRED
    if now >= row.last_seen_at + timedelta(seconds=settings.SESSION_IDLE_SECONDS):
        return EndReason.IDLE
    return None


def idle_since(now):
    return now - timedelta(seconds=settings.SESSION_IDLE_SECONDS)


def signed_in_since(now):
    return now - timedelta(seconds=settings.SESSION_MAX_SECONDS)


def _open_within_limits(now):
    return UserSession.objects.filter(
        ended_at__isnull=True,
        last_seen_at__gt=idle_since(now),
        created_at__gt=signed_in_since(now),
    )


def session_touch(session_id, *, now=None):
    """A person did something in this session: push its idle deadline back. A session already
    past its deadline stays over (the sweep is about to end it); returns whether it lasts."""
    now = now or timezone.now()
    return bool(_open_within_limits(now).filter(pk=session_id).update(last_seen_at=now))


def sessions_touch(session_ids, *, now=None):
    """session_touch for many sessions at once, in one statement: what sockets did in the last
    moment (consult/consumers/session_touches.py). Returns how many still last."""
    now = now or timezone.now()
    return _open_within_limits(now).filter(pk__in=list(session_ids)).update(last_seen_at=now)


def session_end(row, *, reason, code=WS_CLOSE_SIGNED_OUT, actor=None, now=None, skip_busy=False):
    """End one session: the row, the Django session, and every socket opened under it.

    Any end but the user's own sign-out (which is `auth.logout`) is a `session.revoked` security
    event naming the reason, and `actor` when someone did it (None: the system, e.g. idle).
    Returns False when it had already ended (someone else got there first), or, with
    `skip_busy`, when another transaction is ending it right now.
    """
    now = now or timezone.now()
    with transaction.atomic():
        open_row = UserSession.objects.filter(pk=row.pk, ended_at__isnull=True)
        if skip_busy and not open_row.select_for_update(skip_locked=True).exists():
            return False
        if not open_row.update(ended_at=now, end_reason=reason):
            return False
        import_module(settings.SESSION_ENGINE).SessionStore(session_key=row.session_key).delete()
        close_session_sockets([row.session_key], code=code)
        if reason != EndReason.SIGNED_OUT:
            events.security_event_record(
                events.SESSION_REVOKED,
                user=row.user,
                actor=actor,
                session=row.pk,
                reason=str(reason),
            )
    row.ended_at, row.end_reason = now, reason
    return True


def sessions_end_for_user(
    user, *, reason, keep_session_id=None, code=WS_CLOSE_SIGNED_OUT, actor=None
):
    """End every open session of the user but `keep_session_id`; returns how many ended."""
    rows = UserSession.objects.filter(user=user, ended_at__isnull=True).exclude(pk=keep_session_id)
    return sum(
        session_end(row, reason=reason, code=code, actor=actor)
        for row in list(rows.select_related("user"))
    )


def sessions_expire_due(now=None):
    """The sweep: end every open session past its idle or absolute deadline; returns how many."""
    now = now or timezone.now()
    due = UserSession.objects.filter(
        Q(last_seen_at__lte=idle_since(now)) | Q(created_at__lte=signed_in_since(now)),
        ended_at__isnull=True,
    ).select_related("user")
    ended = 0
    for row in list(due[:SWEEP_BATCH]):
        # Every server process sweeps the same due rows in the same order: without skip_busy the
        # second waited on each row the first was ending (its revocations and audit event
        # inside the row lock), a convoy that held 5,000 lapsed sessions' ends at 20 ms and more
        # each and stalled both processes' rooms for seconds (bench/compare.py, auto_explain).
        ended += session_end(
            row, reason=lapsed_reason(row, now) or EndReason.IDLE, now=now, skip_busy=True
        )
    return ended


def active_sessions(user):
    return UserSession.objects.filter(user=user, ended_at__isnull=True).order_by("-last_seen_at")


def current_session(request):
    """The UserSession row of this request's session, or None when it has none."""
    row_id = request.session.get(SESSION_ROW)
    if row_id is None:
        return None
    return UserSession.objects.filter(pk=row_id, user_id=request.user.pk).first()
