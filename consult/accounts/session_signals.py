from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from consult.accounts.models import EndReason
from consult.accounts.sessions import current_session, session_end, session_start


@receiver(user_logged_in, dispatch_uid="session_started")
def session_started(sender, request, user, **kwargs):
    session_start(user=user, request=request)


@receiver(user_logged_out, dispatch_uid="session_signed_out")
def session_signed_out(sender, request, user, **kwargs):
    row = current_session(request) if user is not None else None
    if row is not None and row.ended_at is None:
        session_end(row, reason=EndReason.SIGNED_OUT)
