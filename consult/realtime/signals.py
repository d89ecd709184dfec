from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from consult.realtime.broadcast import SESSION_ENDED, send_now, session_group


@receiver(user_logged_out)
def close_sockets_of_ended_session(sender, request, user, **kwargs):
    """Channels keeps a socket open after its session is gone; sign-out must end it at once."""
    session_key = request.session.session_key
    if session_key:
        send_now(session_group(session_key), {"type": SESSION_ENDED})
