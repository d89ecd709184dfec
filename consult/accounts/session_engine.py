"""Django's database session engine (SESSION_ENGINE), reading a session in one prepared statement.

Every page and every socket handshake loads its session. Django's engine builds that one-row
query through the ORM each time, about as much CPU as the rest of a socket's sign-in; here it is
a statement PostgreSQL plans once per connection (consult/accounts/sql.py). Everything else
(saving, expiry, cycling keys) is Django's engine unchanged.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

from consult.accounts.sql import live_session_row


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        row = live_session_row(self.session_key, timezone.now()) if self.session_key else None
        if row is None:
            self._session_key = None
            return None
        session_data, expire_date = row
        return self.model(
            session_key=self.session_key, session_data=session_data, expire_date=expire_date
        )
