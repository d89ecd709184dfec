"""The scheduler inside the web process, for the embedded default (no REDIS_URL).

With the in-memory channel layer a separate scheduler process could not reach anyone's socket,
so one process does both: the same loop as `run_scheduler`, as a task on Daphne's event loop,
its database work on the sync thread like every consumer's. It starts with the first request.
"""

import asyncio

from channels.db import database_sync_to_async

from consult.scheduler.loop import SchedulerLoop


async def run_forever():
    loop = SchedulerLoop()
    while True:  # noqa: ASYNC110 - due work is rows in the database: there is no event to await
        await asyncio.sleep(await database_sync_to_async(loop.run_pass)())


class WithEmbeddedScheduler:
    """ASGI wrapper that starts the scheduler task on the server's loop at the first connection."""

    def __init__(self, app):
        self.app = app
        self.task = None

    async def __call__(self, scope, receive, send):
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(run_forever())
        return await self.app(scope, receive, send)
