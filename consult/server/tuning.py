"""Process tuning for the long-running server, applied by `python -m consult.server` once the
application is loaded and before it serves (never at import: tests, management commands and
benches that import the app keep Python's defaults).

The garbage collector. Python's cyclic collector runs by allocation counts. A busy server
allocates fast and makes almost no cyclic garbage (measured: full collections found 3-70
objects), so the collector's passes are nearly pure cost, and a full one walks every live object:
the loaded app plus every open socket's objects. Under load at the default thresholds (700, 10,
10), full passes took 70-275 ms each, a few times a minute, and they were the room latency's p99.
So: the heap as loaded is frozen (never garbage, never walked again), and the thresholds are
raised (GC_THRESHOLDS) so young passes are rarer and full passes much rarer; garbage without
cycles is freed by reference counting as always.

But every closed connection does leave cycles (Twisted's HTTPChannel and WebRequest, the
consumer and its cancelled Task with its traceback and frames: ~100 objects). Whatever of it was
still alive at a young pass is promoted, and at the raised thresholds the oldest generation was
collected about once per 100 million allocations: a 20,000-cycle connect/leave soak grew 20 %
after its first quarter, and never levelled off. So a full pass also runs, on the event loop
(finalisers run where asyncio expects them), when that garbage has come: every
GC_FULL_COLLECT_SECONDS (1 s) the process looks whether as many connections closed since the
last full pass as are open, and at least GC_FULL_COLLECT_AFTER_CLOSES (500), and runs one if so
(FullCollections), or if
GC_FULL_COLLECT_MAX_SECONDS (600 s) have passed anyway. A full pass over a process holding 500
sockets under load stops its loop for 150-220 ms (consult/server/stalls.py caught every one;
about 43,000 objects of 500 closed connections found among 130,000): run every 30 s
regardless, they were the room latency's p99 at 500 msg/s (five runs p99 43-319 ms; without
them 23-113 ms), while sockets in use close rarely. Looked at every 30 s, the pass came up to
30 s after the closes that called for it, at any moment of the traffic that followed; looked
at every second, it comes right after them, while the clients that left are gone and before
any that reconnect are busy again. It is no shorter for that. Garbage stays bounded by what 500
closed connections leave (bench/soak.py).

The GIL's switch interval. Every database round trip hands the GIL from a pool thread
(consult/realtime/workers.py) to the event loop and back. When each post made five round trips
on its own thread hop, 1 ms measured best; now that a post is one statement and posts travel in
batches (post_batches.py), the forced switches cost more CPU than the waits they saved: 2 threads
at Python's 5 ms measured best at 500 msg/s (p99 121 ms against 220 ms at 2.5 ms and a backlog
with 4 threads). GIL_SWITCH_INTERVAL sets it.
"""

import gc
import logging
import sys
import time

from django.conf import settings

from consult.server.stalls import watch_loop_stalls

log = logging.getLogger(__name__)


def tune_process():
    sys.setswitchinterval(settings.GIL_SWITCH_INTERVAL)
    settle_heap()
    collect_regularly(
        settings.GC_FULL_COLLECT_SECONDS,
        after_closes=settings.GC_FULL_COLLECT_AFTER_CLOSES,
        at_least_every=settings.GC_FULL_COLLECT_MAX_SECONDS,
    )
    watch_loop_stalls(settings.LOOP_STALL_LOG_MS)


class FullCollections:
    """A full collection when enough connections closed since the last one, or enough time
    passed; looked at every `seconds` (the module docstring).

    Enough is `after_closes`, or as many as are open, if more: a pass walks every open
    connection's objects, so it waits until the garbage to find is at least as large. In a
    reconnect storm of 5,000 sockets a pass every 500 closes would walk all of them ten times."""

    def __init__(self, seconds, *, after_closes, at_least_every):
        self.seconds, self.after_closes, self.at_least_every = seconds, after_closes, at_least_every
        self.closed = 0  # connections closed since the last full collection
        self.open = 0
        self.waited = 0.0
        self.stopped = False  # the process is leaving: stop_collecting()

    def connection_opened(self):
        self.open += 1

    def connection_closed(self):
        self.closed += 1
        self.open = max(0, self.open - 1)

    def connection_handed_over(self):
        self.open = max(0, self.open - 1)  # the same connection, counted open once more

    def look(self):
        if self.stopped:
            return False
        self.waited += self.seconds
        enough = max(self.after_closes, self.open)
        if self.closed >= enough or self.waited >= self.at_least_every:
            closed, waited = self.closed, self.waited
            self.closed, self.waited = 0, 0.0
            started = time.perf_counter()
            found = gc.collect()
            log.info(
                "full collection: %d connections closed in %.0f s, %d open; %d objects freed "
                "in %.0f ms",
                closed,
                waited,
                self.open,
                found,
                (time.perf_counter() - started) * 1000,
            )
            return True
        return False


full_collections = None  # this server process's, once tune_process ran


def stop_collecting():
    """The process is leaving (SIGTERM, consult/server/graceful.py): its garbage goes with it,
    since it ends without freeing its heap. As its thousands of sockets closed, the pass their
    closes called for took 1.1 s of the leave (bench/idle_sockets.py --restart)."""
    gc.disable()
    if full_collections is not None:
        full_collections.stopped = True


def connection_opened():
    """The server calls this for every connection it accepts (consult/server/__main__.py)."""
    if full_collections is not None:
        full_collections.connection_opened()


def connection_closed():
    """The server calls this for every connection that closes (consult/server/__main__.py)."""
    if full_collections is not None:
        full_collections.connection_closed()


def connection_handed_over():
    """An HTTP request upgraded to a WebSocket: one connection, counted open twice."""
    if full_collections is not None:
        full_collections.connection_handed_over()


def handed_to_websocket(protocol):
    """Whether Daphne's `protocol_disconnected` for `protocol` is an HTTP request handing its
    connection to the WebSocket protocol it upgraded to, not a close: Daphne reports both the
    same way, and the upgrade leaves the request's transport None. Counted as closes, every join
    in a burst of thousands was one, and a full pass over every open socket ran each second
    while they joined (6 % of the process's CPU, bench/idle_sockets.py)."""
    # Imported here: this module is imported where no Twisted reactor may be installed yet.
    from daphne.http_protocol import WebRequest

    return isinstance(protocol, WebRequest) and protocol.transport is None


def collect_regularly(seconds, *, after_closes, at_least_every):
    """FullCollections looked at every `seconds` on the reactor's loop (0: never)."""
    global full_collections
    if seconds <= 0:
        return
    from twisted.internet import task

    full_collections = FullCollections(
        seconds, after_closes=after_closes, at_least_every=at_least_every
    )
    task.LoopingCall(full_collections.look).start(seconds, now=False)


def settle_heap():
    gc.collect()
    gc.freeze()
    gc.set_threshold(*settings.GC_THRESHOLDS)
