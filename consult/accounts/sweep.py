"""Idle and absolute logoff without a request: each server process ends lapsed sessions.

A session past its deadline must lose its sockets even when its browser sends nothing more, so
every web process runs this loop (started with its first connection, like the embedded
scheduler). Two processes sweeping at once is safe: session_end claims a row with a conditional
UPDATE, so each session is ended, and its sockets closed, once.
"""

import asyncio
import logging

from channels.db import database_sync_to_async
from django.conf import settings

from consult.accounts.sessions import sessions_expire_due

log = logging.getLogger(__name__)


async def sweep_forever():
    while True:
        try:
            await database_sync_to_async(sessions_expire_due)()
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
