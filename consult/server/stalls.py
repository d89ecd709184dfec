"""Event loop stalls, caught and told where: a watchdog thread beside the server's loop.

A socket's frames wait while the loop runs anything else, so one long callback is a latency
spike for every socket of the process. The loop stamps a heartbeat every BEAT_SECONDS; a daemon
thread looks every BEAT_SECONDS and, when the stamp is older than LOOP_STALL_LOG_MS, counts a
stall (consult_loop_stalls_total) and logs where the loop's thread is at that moment: code
locations only, never a frame's values (they may hold clinical text). At most one log line per
LOG_EVERY_SECONDS, so a saturated process does not flood its log.
"""

import datetime
import logging
import sys
import threading
import time
import traceback

from consult.ops import metrics

log = logging.getLogger(__name__)

BEAT_SECONDS = 0.05
LOG_EVERY_SECONDS = 5.0
STACK_FRAMES = 12


class StallWatch:
    def __init__(self, loop_thread_id, stall_seconds):
        self.loop_thread_id = loop_thread_id
        self.stall_seconds = stall_seconds
        self.beat_at = time.monotonic()
        self.stalled = False  # this stall already counted
        self.logged_at = float("-inf")

    def beat(self):
        """On the loop: it is running callbacks again."""
        self.beat_at = time.monotonic()
        self.stalled = False

    def look(self):
        """On the watchdog thread: count (and maybe log) a stall in progress."""
        late = time.monotonic() - self.beat_at
        if late < self.stall_seconds or self.stalled:
            return None
        self.stalled = True
        metrics.loop_stalls.inc()
        now = time.monotonic()
        if now - self.logged_at < LOG_EVERY_SECONDS:
            return None
        self.logged_at = now
        where = where_thread_is(self.loop_thread_id)
        since = datetime.datetime.fromtimestamp(time.time() - late, datetime.UTC)
        log.warning(
            "the event loop has not run for %d ms (since %s UTC); it is at:\n%s",
            late * 1000,
            since.strftime("%H:%M:%S.%f")[:-3],
            where,
        )
        return where


def where_thread_is(thread_id):
    frame = sys._current_frames().get(thread_id)
    if frame is None:
        return "(thread gone)"
    summary = traceback.extract_stack(frame)[-STACK_FRAMES:]
    # Locations and the source line only: StackSummary keeps no local values unless asked to.
    return "".join(f"  {f.filename}:{f.lineno} in {f.name}\n" for f in summary)


def watch_loop_stalls(stall_ms):
    """Start watching the current thread's reactor loop (0: never)."""
    if stall_ms <= 0:
        return None
    from twisted.internet import task

    watch = StallWatch(threading.get_ident(), stall_ms / 1000)
    task.LoopingCall(watch.beat).start(BEAT_SECONDS, now=True)

    def watchdog():
        while True:
            time.sleep(BEAT_SECONDS)
            try:
                watch.look()
            except Exception:  # a watchdog must not die of what it reports
                log.exception("stall watch failed")

    threading.Thread(target=watchdog, name="consult-stall-watch", daemon=True).start()
    return watch
