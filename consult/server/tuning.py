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
after its first quarter, and never levelled off. So a full pass also runs every
GC_FULL_COLLECT_SECONDS (30 s), on the event loop (finalisers run where asyncio expects them):
one pause of a few tens of milliseconds, and garbage stays bounded by what 30 s of connections
leave (bench/soak.py).

The GIL's switch interval. Every database round trip hands the GIL from a pool thread
(consult/realtime/workers.py) to the event loop and back. When each post made five round trips
on its own thread hop, 1 ms measured best; now that a post is one statement and posts travel in
batches (post_batches.py), the forced switches cost more CPU than the waits they saved: 2 threads
at Python's 5 ms measured best at 500 msg/s (p99 121 ms against 220 ms at 2.5 ms and a backlog
with 4 threads). GIL_SWITCH_INTERVAL sets it.
"""

import gc
import sys

from django.conf import settings


def tune_process():
    sys.setswitchinterval(settings.GIL_SWITCH_INTERVAL)
    settle_heap()
    collect_regularly(settings.GC_FULL_COLLECT_SECONDS)


def collect_regularly(seconds):
    """A full collection every `seconds` on the reactor's loop (0: never)."""
    if seconds <= 0:
        return
    from twisted.internet import task

    task.LoopingCall(gc.collect).start(seconds, now=False)


def settle_heap():
    gc.collect()
    gc.freeze()
    gc.set_threshold(*settings.GC_THRESHOLDS)
