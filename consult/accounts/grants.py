"""What a socket acts under, checked in the database by every service its frames reach.

A socket is opened by a user with a role, under a session (a UserSession row). Any of the three
may change while it is open: the account deactivated, the role changed, the session ended. The
socket is then closed (consult/realtime/revocation.py), but a frame it sent a moment before the
close arrives must still find its access gone: so services take `session_id` and check, in the
same query that authorises the frame, that the session is open and its user active with the role
the socket was opened with (hand-written statements use consult/accounts/sql.py's grant_sql).
"""

from consult.accounts.models import User


def grant_holds(user, session_id):
    """The user is active with the role they had, and (given a session) it is still open."""
    users = User.objects.filter(pk=user.pk, is_active=True, role=user.role)
    if session_id is not None:
        users = users.filter(
            signed_in_sessions__pk=session_id, signed_in_sessions__ended_at__isnull=True
        )
    return user.is_authenticated and users.exists()
