"""The accounts' SQL, for other apps' hand-written statements on the hot paths.

`grant_sql` is consult/accounts/grants.py's `grant_holds` as an SQL condition, so a post can be
authorised in the statement that stores it (consult/cases/store.py).
"""

from consult.accounts.models import User, UserSession

USERS, SESSIONS = User._meta.db_table, UserSession._meta.db_table


def grant_sql(*, user, role, session):
    """The same check as SQL, for the hand-written statements of the hot paths
    (consult/cases/store.py): arguments are the parameter placeholders. `session` may be NULL: no
    session to check."""
    return f"""EXISTS (SELECT 1 FROM {USERS} gu
            WHERE gu.id = {user} AND gu.is_active AND gu.role = {role}
           AND ({session}::bigint IS NULL OR EXISTS (SELECT 1 FROM {SESSIONS} gs
                WHERE gs.id = {session}::bigint AND gs.user_id = gu.id AND gs.ended_at IS NULL)))"""
