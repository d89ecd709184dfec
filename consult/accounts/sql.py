"""The accounts' SQL: hand-written statements on the hot paths.

`grant_sql` is consult/accounts/grants.py's `grant_holds` as an SQL condition, so a post can be
authorised in the statement that stores it (consult/cases/store.py). `confirmed_device_exists`
is django-otp's `user_has_device` in one statement, for every socket handshake
(consult/accounts/mfa.py), `live_session_row` Django's session read, prepared
(consult/accounts/session_engine.py), and `socket_sign_in_rows` all a batch of socket
handshakes read of their sign-ins, in one statement (consult/accounts/socket_sign_in.py).
"""

import functools

from django.contrib.sessions.models import Session
from django.db import connection
from django_otp import device_classes

from consult.accounts.models import User, UserSession
from consult.core.prepared import fetch_all

USERS, SESSIONS = User._meta.db_table, UserSession._meta.db_table
DJANGO_SESSIONS = Session._meta.db_table
LIVE_SESSION = (
    f"SELECT session_data, expire_date FROM {DJANGO_SESSIONS} "
    "WHERE session_key = %s AND expire_date > %s"
)


def grant_sql(*, user, role, session):
    """The same check as SQL, for the hand-written statements of the hot paths
    (consult/cases/store.py): arguments are the parameter placeholders. `session` may be NULL: no
    session to check."""
    return f"""EXISTS (SELECT 1 FROM {USERS} gu
            WHERE gu.id = {user} AND gu.is_active AND gu.role = {role}
           AND ({session}::bigint IS NULL OR EXISTS (SELECT 1 FROM {SESSIONS} gs
                WHERE gs.id = {session}::bigint AND gs.user_id = gu.id AND gs.ended_at IS NULL)))"""


@functools.cache
def device_models():
    """django-otp's device_classes(), which walks every installed model on each call."""
    return tuple(device_classes())


def confirmed_device_exists(user_id):
    """Whether the user has a confirmed second factor, of any installed django-otp device model:
    one statement, where django-otp's user_has_device runs one ORM query per model."""
    tables = [model._meta.db_table for model in device_models()]
    if not tables:
        return False
    condition = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} WHERE user_id = %s AND confirmed = %s)" for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {condition}", [user_id, True] * len(tables))
        return bool(cursor.fetchone()[0])


USER_FIELDS = [field.attname for field in User._meta.concrete_fields]
_USER_COLUMNS = ", ".join(f'u."{field.column}"' for field in User._meta.concrete_fields)


def _confirmed_device_ids_sql(vendor):
    """One column per installed django-otp device model: the ids of the user's confirmed devices
    of that model, comma-separated, or NULL."""
    joined = (
        "string_agg(CAST(d.id AS text), ',')" if vendor == "postgresql" else "group_concat(d.id)"
    )
    return [
        f"(SELECT {joined} FROM {model._meta.db_table} d WHERE d.user_id = u.id AND d.confirmed)"
        for model in device_models()
    ]


def _socket_sign_in_sql(vendor):
    devices = "".join(f"{column}, " for column in _confirmed_device_ids_sql(vendor))
    # PostgreSQL reads a whole batch of handshakes' sessions at once (socket_sign_in_rows).
    keys = "= ANY(%(key)s)" if vendor == "postgresql" else "= %(key)s"
    return f"""SELECT s.session_key, s.session_data, us.id, {devices}{_USER_COLUMNS}
  FROM {DJANGO_SESSIONS} s JOIN {SESSIONS} us ON us.session_key = s.session_key
       JOIN {USERS} u ON u.id = us.user_id
 WHERE s.session_key {keys} AND s.expire_date > %(now)s
   AND us.ended_at IS NULL AND us.last_seen_at > %(idle_since)s
   AND us.created_at > %(signed_in_since)s AND u.is_active"""


_statements = {}


def socket_sign_in_rows(session_keys, *, now, idle_since, signed_in_since):
    """{session key: (session_data, UserSession id, confirmed device ids per model of
    device_models(), the user's fields in USER_FIELDS order)} of those of `session_keys` whose
    session is unexpired, open within its idle and absolute limits
    (consult/accounts/sessions.py), and its user active. One statement on PostgreSQL."""
    vendor = connection.vendor
    if vendor not in _statements:
        _statements[vendor] = _socket_sign_in_sql(vendor)
    adapt = connection.ops.adapt_datetimefield_value
    params = {
        "now": adapt(now),
        "idle_since": adapt(idle_since),
        "signed_in_since": adapt(signed_in_since),
    }
    keys = list(session_keys)
    batches = [keys] if vendor == "postgresql" else keys
    return {
        key: rest
        for batch in batches
        for key, *rest in fetch_all(_statements[vendor], {**params, "key": batch})
    }


def live_session_row(session_key, now):
    """(session_data, expire_date) of the unexpired Django session `session_key`, or None."""
    rows = fetch_all(LIVE_SESSION, [session_key, connection.ops.adapt_datetimefield_value(now)])
    return rows[0] if rows else None
