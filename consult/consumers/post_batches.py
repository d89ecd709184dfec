"""Posts from this process's sockets reach the database in batches: one thread hop per batch.

Each `message.send` used to cost its own hop to a database thread and back. On a busy
process those hops, and the GIL hand-offs around every round trip they wait on, cost more
CPU than the posts themselves. Here a socket queues its post and awaits the result; a
drainer hands everything queued so far to one database thread call (services.messages_post),
which sends the batch's plain posts to PostgreSQL in one pipelined transaction, each as soon as
its guard has run, so the database stores one while the next is checked, and then publishes
the batch's frames to Redis in one round trip. A post that the pipelined transaction did not
store (a correction, a retry, a batch whose transaction failed) is stored on its own, with its
own retry and its own error. An idle process sends a post at once, as before; a busy one
sends what piled up while the previous batch ran, so batches grow with the load and the
per-post overhead shrinks when it matters.

One batch runs at a time (consult/realtime/batches.py): with two, batches were half the size and two
database threads fought the event loop for the GIL; at 500 msg/s over 1,000 sockets p99 went
from 120-2,800 ms to 30-100 ms with one, and 700 msg/s kept it under 100 ms. The other
database thread stays free for joins and reads. A socket awaits its own post before it reads
its next frame, so a sender's posts stay in order; posts of one room from different sockets
are ordered by the case row lock, as everywhere.

Pipelining the batch (one wait for the database per batch instead of one per post) took a
batch of five posts from 1.4-1.8 ms to 0.65-1.0 ms per post on one idle connection, and at
500 msg/s (bench/compare.py) the room latency's p50 from 56-237 ms to 14-39 ms.
"""

import logging

from consult.cases import services
from consult.core.errors import ConsultError
from consult.core.loops import one_per_event_loop
from consult.realtime import hub
from consult.realtime.batches import DatabaseBatches
from consult.realtime.workers import URGENT

log = logging.getLogger(__name__)

MAX_BATCH = 64


def post_each(requests):
    """Post every request (services.messages_post); returns its PostResult or the exception it
    raised."""
    with hub.publishes_batched():
        results = services.messages_post(requests)
    for result in results:
        if isinstance(result, Exception) and not isinstance(result, ConsultError):
            # The type only: a database error's detail can quote the row, clinical text included.
            log.error("message post failed: %s", type(result).__name__)
    return results


class PostBatches(DatabaseBatches):
    """The queue of one event loop's posts. A post whose socket closed while it waited is still
    stored: the client may resend it, and the resend is acked as a duplicate."""

    def __init__(self):
        # post_each looked up at each batch, not bound here (tests watch it).
        super().__init__(
            lambda requests: post_each(requests),
            priority=URGENT,
            max_batch=MAX_BATCH,
            runs_abandoned=True,
        )

    async def post(self, **request):
        return await self.call(request)


post_batches = one_per_event_loop(lambda loop: PostBatches())  # this loop's queue of posts
