"""Run a load generator with Python's cyclic garbage collector off:

    python bench/without_gc.py bench/stock_loadgen.py --clients 1000 ...

A load generator is a measuring instrument: its own pauses are counted as the server's
latency. With the collector on, one generator holding 1,000 sockets paused for a full
collection of 93-148 ms once a run, and for young ones of up to 48 ms, and every frame in
flight then was reported that much later (measured with gc.callbacks at 500 msg/s). Both
generators, Consult's (bench/load.py) and the baseline's (kept verbatim), run this way, so the
comparison stays even. A run lasts seconds; reference counting frees nearly all of its garbage.
"""

import gc
import runpy
import sys

if __name__ == "__main__":
    gc.disable()
    script, sys.argv = sys.argv[1], sys.argv[1:]
    runpy.run_path(script, run_name="__main__")
