"""Idle and absolute logoff without a request: each server process ends lapsed sessions.

A session past its deadline must lose its sockets even when its browser sends nothing more, so
every web process runs this loop (started with its first connection, like the embedded
scheduler). Two processes sweeping at once is safe: session_end claims a row with a conditional
UPDATE, so each session is ended, and its sockets closed, once.
"""

import asyncio
import functools
import logging

from channels.db import DatabaseSyncToAsync
from django.conf import settings

from consult.accounts.sessions import sessions_expire_due
from consult.realtime.workers import DatabaseThreads

log = logging.getLogger(__name__)


@functools.cache
def expire_due():
    """sessions_expire_due on the sweep's own thread. Not Channels' shared one
    (database_sync_to_async): a sweep ending many sessions at once held up every handshake's
    session and user lookup behind it. And a daemon thread, not a ThreadPoolExecutor's: a sweep
    that ends a session publishes its revocation through the server's loop (async_to_sync), and
    one caught doing so when SIGTERM stopped that loop waits for good. Python joins a
    ThreadPoolExecutor's threads at exit, so the process never exited (found stopping a server
    whose sweep was ending an earlier run's 5,000 lapsed sessions)."""
    return DatabaseSyncToAsync(
        sessions_expire_due,
        thread_sensitive=False,
        executor=DatabaseThreads(1, name="consult-sweep"),
    )


async def sweep_forever():
    while True:
        try:
            await expire_due()()
        except Exception:
            log.exception("session sweep failed; retrying")
        await asyncio.sleep(settings.SESSION_SWEEP_SECONDS)


class WithSessionSweep:
    """ASGI wrapper that starts the sweep on the server's loop at the first connection."""

    def __init__(self, app):
        self.app = app
        self.task = None

    async def __call__(self, scope, receive, send):
        if (
            self.task is None
            and scope["type"] in ("http", "websocket")
            and settings.SESSION_SWEEP_IN_SERVER
        ):
            self.task = asyncio.get_running_loop().create_task(sweep_forever())
        return await self.app(scope, receive, send)
