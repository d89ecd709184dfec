"""Is a socket's sign-in still good? Asked again after an outage that may have swallowed a
revocation (a Redis restart loses what was published while it was away)."""

from consult.accounts.models import User
from consult.accounts.session_engine import SessionStore
from consult.realtime.protocol import WS_CLOSE_ACCESS_LOST, WS_CLOSE_SIGNED_OUT


def sign_in_lost_code(*, user_id, session_key):
    """The close code the socket should get now, or None while the sign-in still stands."""
    if not session_key or not SessionStore().exists(session_key):
        return WS_CLOSE_SIGNED_OUT
    if not User.objects.filter(pk=user_id, is_active=True).exists():
        return WS_CLOSE_ACCESS_LOST
    return None
