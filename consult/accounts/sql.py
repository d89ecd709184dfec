"""The accounts' SQL: hand-written statements on the hot paths.

`grant_sql` is consult/accounts/grants.py's `grant_holds` as an SQL condition, so a post can be
authorised in the statement that stores it (consult/cases/store.py). `confirmed_device_exists`
is django-otp's `user_has_device` in one statement, for every socket handshake
(consult/accounts/mfa.py), and `live_session_row` Django's session read, prepared
(consult/accounts/session_engine.py).
"""

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


def confirmed_device_exists(user_id):
    """Whether the user has a confirmed second factor, of any installed django-otp device model:
    one statement, where django-otp's user_has_device runs one ORM query per model."""
    tables = [model._meta.db_table for model in device_classes()]
    if not tables:
        return False
    condition = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} WHERE user_id = %s AND confirmed = %s)" for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {condition}", [user_id, True] * len(tables))
        return bool(cursor.fetchone()[0])


def live_session_row(session_key, now):
    """(session_data, expire_date) of the unexpired Django session `session_key`, or None."""
    rows = fetch_all(LIVE_SESSION, [session_key, connection.ops.adapt_datetimefield_value(now)])
    return rows[0] if rows else None
