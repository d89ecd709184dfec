"""Socket activity reaches the session rows in one write per moment, not one per socket.

A person acting on a socket keeps their session alive (consult/accounts/sessions.py), written
at most once a minute per socket. But when a process's sockets all start sending at once (after
a restart, or when a load test starts) that was one UPDATE per socket within a second or two:
1,000 of them, on the database threads beside the posts, were the p99 of the first seconds at
500 msg/s (bench/compare.py: 130-330 ms there, 40 ms without). Here a socket notes its session
and a per-loop task writes every noted session in one statement each FLUSH_SECONDS: activity
is recorded at most that much later, against an idle limit of minutes.
"""

import asyncio
import logging

from consult.accounts.sessions import sessions_touch
from consult.core.loops import one_per_event_loop
from consult.realtime.workers import BACKGROUND, in_db_thread

log = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0


class SessionTouches:
    def __init__(self):
        self.noted = set()
        self.flushing = None

    def note(self, session_id):
        self.noted.add(session_id)
        if self.flushing is None or self.flushing.done():
            self.flushing = asyncio.ensure_future(self._flush_soon())

    async def _flush_soon(self):
        await asyncio.sleep(FLUSH_SECONDS)
        noted, self.noted = self.noted, set()
        try:
            await in_db_thread(sessions_touch, priority=BACKGROUND)(noted)
        except Exception:  # noqa: BLE001 - the next activity writes it again
            log.warning("recording socket activity failed for %d sessions", len(noted))


session_touches = one_per_event_loop(lambda loop: SessionTouches())  # this loop's notes
