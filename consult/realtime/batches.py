"""Calls of one kind from one event loop's sockets, run on a database thread in batches.

A burst of handshakes made each socket's sign-in and room join a database statement and a thread
hop of its own: about 200 µs of a database thread's CPU per statement before any row was read
(psycopg and Django's cursor machinery, the send and the wait), three statements per join, and
the GIL handed to and from the event loop around each. Read as one statement for a whole batch,
a row costs ~8 µs (bench/idle_sockets.py; the figures in docs/scaling.md). So a socket queues
its call and awaits its own result; a drainer hands everything queued so far to one database
thread call of `run_batch(items)`, which answers each item with its result or the exception it
raised. An idle process runs a call at once, as before; a busy one runs what piled up while the
previous batch ran, so batches grow with the load.

A call whose caller went (a socket that closed while it waited) is not run, unless the queue
`runs_abandoned` (posts: consult/consumers/post_batches.py). A call waits at most
`queue_seconds` for its batch to start and DB_CALL_TIMEOUT_SECONDS for its answer, as one
`in_db_thread` call with that `queue_seconds` does, and is then refused `unavailable`.
"""

import asyncio
import collections
import logging

from django.conf import settings
from django.db import DatabaseError

from consult.core.errors import ConsultError, Unavailable
from consult.realtime.workers import NORMAL, in_db_thread, retrying_transient

log = logging.getLogger(__name__)

MAX_BATCH = 64


class DatabaseBatches:
    """The queue of one event loop's calls of `run_batch` (a function of a list of items that
    returns, in order, each item's result or exception; it runs on a database thread)."""

    def __init__(
        self,
        run_batch,
        *,
        priority=NORMAL,
        queue_seconds=None,
        max_batch=MAX_BATCH,
        runs_abandoned=False,
    ):
        self.run_batch = run_batch
        self.priority, self.queue_seconds, self.max_batch = priority, queue_seconds, max_batch
        # Whether a call whose caller went still runs: a post may have been sent by a socket that
        # closed before its ack, and its resend is then acked as a duplicate; a join may not.
        self.runs_abandoned = runs_abandoned
        self.queued = collections.deque()  # (item, future)
        self.draining = False

    async def call(self, item):
        future = asyncio.get_running_loop().create_future()
        self.queued.append((item, future))
        if not self.draining:
            self.draining = True
            asyncio.ensure_future(self._drain())
        limit = settings.DB_CALL_TIMEOUT_SECONDS + (self.queue_seconds or 0)
        try:
            # Counted from the queueing, not from its batch's start: behind a hung database the
            # batches ahead would each use up the whole limit first.
            async with asyncio.timeout(limit):
                result = await future  # cancelled on timeout: its batch then skips it
        except TimeoutError:
            raise Unavailable() from None
        if isinstance(result, BaseException):
            raise result
        return result

    async def _drain(self):
        try:
            while batch := self._next_batch():
                try:
                    results = await in_db_thread(
                        self.run_batch, priority=self.priority, queue_seconds=self.queue_seconds
                    )([item for item, _ in batch])
                except Exception as error:  # noqa: BLE001 - each caller hears it (Unavailable...)
                    results = [error] * len(batch)
                if len(results) != len(batch):  # a run_batch bug must not leave callers waiting
                    log.error("a batch of %d calls got %d answers", len(batch), len(results))
                    results = [Unavailable()] * len(batch)
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():  # the socket may have closed meanwhile
                        future.set_result(result)
        finally:
            self.draining = False

    def _next_batch(self):
        # From the front only: in a burst thousands are queued, and a batch takes 64 of them.
        batch = []
        while self.queued and len(batch) < self.max_batch:
            item, future = self.queued.popleft()
            if self.runs_abandoned or not future.done():  # else its caller went: never run
                batch.append((item, future))
        return batch


def each_answered(call, items, *, what):
    """[call(item) or the exception it raised] for every item: one failure is its item's alone,
    and a deadlock is retried for its item only. Errors that are neither the domain's nor the
    database's (both answered to the socket) are logged, by type only: a detail can quote a row."""
    answered = []
    run = retrying_transient(call)
    for item in items:
        try:
            answered.append(run(item))
        except Exception as error:  # noqa: BLE001 - handed to the item's caller
            if not isinstance(error, ConsultError | DatabaseError):
                log.error("%s failed: %s", what, type(error).__name__)
            answered.append(error)
    return answered
