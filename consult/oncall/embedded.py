"""The scheduler inside the web process, for the embedded default (no REDIS_URL).

With the in-memory channel layer a separate scheduler process could not reach anyone's socket,
so one process does both: the same `tick` as `run_scheduler`, as a task on Daphne's event loop,
its database work on the sync thread like every consumer's. It starts with the first request.
"""

import asyncio
import logging
import time

from channels.db import database_sync_to_async

from consult.audit.checkpoints import checkpoint_all_streams
from consult.oncall.scheduler import tick

log = logging.getLogger(__name__)

IDLE_SECONDS = 0.5
CHECKPOINT_SECONDS = 60


async def run_forever():
    next_checkpoint = time.monotonic() + CHECKPOINT_SECONDS
    while True:
        try:
            done = await database_sync_to_async(tick)()
            if time.monotonic() >= next_checkpoint:
                await database_sync_to_async(checkpoint_all_streams)()
                next_checkpoint = time.monotonic() + CHECKPOINT_SECONDS
        except Exception:  # a bad row or a lost connection must not stop paging for good
            log.exception("embedded scheduler pass failed; retrying")
            done = 0
        if not done:
            await asyncio.sleep(IDLE_SECONDS)


class WithEmbeddedScheduler:
    """ASGI wrapper that starts the scheduler task on the server's loop at the first connection."""

    def __init__(self, app):
        self.app = app
        self.task = None

    async def __call__(self, scope, receive, send):
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(run_forever())
        return await self.app(scope, receive, send)
