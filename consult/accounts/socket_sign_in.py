"""Signing a socket in: its session, user and second factor read in one statement.

Every socket handshake needs to know who opens it. Channels' AuthMiddlewareStack reads the
session and then the user through the ORM, on Channels' one database thread, and the MFA gate
read the user's devices in a second hop: three to five queries and most of a join's CPU, paid
5,000 times when a restarted process takes its sockets back. Here it is one prepared statement
(consult/accounts/sql.py's socket_sign_in_rows) for a whole batch of handshakes, in one hop to
the socket database threads (consult/realtime/batches.py), with
the same answer Django's `get_user` and the MFA gate gave, and one stricter: a session past its
idle or absolute deadline (consult/accounts/sessions.py) opens no socket, even before the sweep
has ended it.

A scope is signed in (its `user` a User) only when all of these hold; otherwise `user` is
AnonymousUser, which every consumer refuses:
  - the session cookie names an unexpired Django session that has a UserSession row, open and
    within its limits, whose id the session holds;
  - the session's user is that row's user, active, signed in through a configured backend, and
    the session's auth hash is the user's (a password change signs every session out);
  - the second factor is done (consult/accounts/mfa.py): the session's verified device is one
    of the user's confirmed devices, or the user has none and their role does not require one.
"""

import functools

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http.cookie import parse_cookie
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string
from django_otp import DEVICE_ID_SESSION_KEY

from consult.accounts import mfa
from consult.accounts.models import User
from consult.accounts.session_engine import SessionStore
from consult.accounts.sessions import SESSION_ROW, idle_since, signed_in_since
from consult.accounts.sql import USER_FIELDS, device_models, socket_sign_in_rows
from consult.core.loops import one_per_event_loop
from consult.realtime.batches import DatabaseBatches


def socket_sign_in(session_key, *, now=None):
    """(user, session) for a handshake presenting `session_key` (None: no cookie)."""
    return socket_sign_ins([session_key], now=now)[0]


def socket_sign_ins(session_keys, *, now=None):
    """socket_sign_in of every key, in order: one statement reads all their sessions."""
    now = now or timezone.now()
    wanted = [key for key in session_keys if key]
    rows = (
        socket_sign_in_rows(
            wanted, now=now, idle_since=idle_since(now), signed_in_since=signed_in_since(now)
        )
        if wanted
        else {}
    )
    return [_signed_in(key, rows.get(key)) for key in session_keys]


def _signed_in(session_key, row):
    session = SessionStore(session_key)
    session._session_cache = {}  # loaded here or nowhere: never read lazily on the event loop
    if row is None:
        return AnonymousUser(), session
    session_data, session_row, *rest = row
    device_columns = len(device_models())
    confirmed = _persistent_ids(rest[:device_columns])
    user = User.from_db(connection.alias, USER_FIELDS, rest[device_columns:])
    data = session.decode(session_data)
    session._session_cache = data
    if not (
        data.get(SESSION_ROW) == session_row
        and data.get(SESSION_KEY) == str(user.pk)
        and _backend_admits(data.get(BACKEND_SESSION_KEY), user)
        and _hash_holds(data.get(HASH_SESSION_KEY), user)
    ):
        return AnonymousUser(), session
    verified = data.get(DEVICE_ID_SESSION_KEY) in confirmed
    if mfa.pending_for(user, verified=verified, has_device=bool(confirmed)) is not None:
        return AnonymousUser(), session
    return user, session


def _persistent_ids(columns):
    return {
        f"{model._meta.label_lower}/{device_id}"
        for model, ids in zip(device_models(), columns, strict=True)
        if ids
        for device_id in str(ids).split(",")
    }


def _backend_admits(backend_path, user):
    """What the session's backend's get_user would say of an active user. Only ModelBackend's
    kind is known here; any other backend is not trusted with a socket."""
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return False
    backend = _backend(backend_path)
    return isinstance(backend, ModelBackend) and backend.user_can_authenticate(user)


@functools.cache
def _backend(path):
    return import_string(path)()


def _hash_holds(session_hash, user):
    # As django.contrib.auth.get_user: the hash under the current secret or a fallback one.
    if not session_hash:
        return False
    return constant_time_compare(session_hash, user.get_session_auth_hash()) or any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    )


class SocketSignIn:
    """ASGI middleware: sets the scope's `session` and `user` (socket_sign_in), then routes."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        session_key = _session_cookie(scope)
        if session_key is None:
            user, session = socket_sign_in(None)  # nobody to read: no database
        else:
            user, session = await sign_in_batches().call(session_key)
        return await self.inner({**scope, "user": user, "session": session}, receive, send)


# A burst of handshakes reads its sessions in batches, one statement each (batches.py).
sign_in_batches = one_per_event_loop(
    lambda loop: DatabaseBatches(socket_sign_ins, queue_seconds=settings.HANDSHAKE_QUEUE_SECONDS)
)


def _session_cookie(scope):
    cookies = "; ".join(
        value.decode("latin-1") for name, value in scope.get("headers", ()) if name == b"cookie"
    )
    return parse_cookie(cookies).get(settings.SESSION_COOKIE_NAME) or None
