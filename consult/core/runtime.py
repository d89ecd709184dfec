"""Process tuning for the long-running server (Daphne), applied once the app is loaded.

Python's cyclic garbage collector runs by allocation counts. A busy server allocates fast
and makes almost no cyclic garbage (measured: full collections found 3-70 objects), so the
collector's passes are nearly pure cost, and a full one walks every live object: the loaded
app plus every open socket's objects. Under load at the default thresholds (700, 10, 10),
full passes took 70-275 ms each, a few times a minute, and they were the room latency's p99.
So: the heap as loaded is frozen (never garbage, never walked again), and the thresholds are
raised (GC_THRESHOLDS) so young passes are rarer and full passes much rarer; garbage without
cycles is freed by reference counting as always.
"""

import gc

from django.conf import settings


def settle_heap():
    gc.collect()
    gc.freeze()
    gc.set_threshold(*settings.GC_THRESHOLDS)
