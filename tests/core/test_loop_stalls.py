"""The server's stall watch: a loop that has not run for LOOP_STALL_LOG_MS is counted once per
stall and logged with where its thread is, as code locations only."""

import threading
import time

from consult.ops import metrics
from consult.server import stalls


def stalled_thread():
    """A thread stuck in a function holding clinical text in a local variable."""
    ready, release = threading.Event(), threading.Event()

    def stuck_in_a_long_callback(note="client disclosed a plan"):
        ready.set()
        release.wait(5)

    thread = threading.Thread(target=stuck_in_a_long_callback)
    thread.start()
    ready.wait(5)
    return thread, release


def test_a_stall_is_counted_once_and_logged_with_where_the_loop_is(caplog, monkeypatch):
    thread, release = stalled_thread()
    try:
        watch = stalls.StallWatch(thread.ident, stall_seconds=0.05)
        before = metrics.loop_stalls._value.get()
        assert watch.look() is None  # not late yet
        time.sleep(0.08)
        where = watch.look()
        assert "stuck_in_a_long_callback" in where and "test_loop_stalls.py" in where
        assert "client disclosed" not in where and "client disclosed" not in caplog.text
        assert "has not run for" in caplog.text
        assert watch.look() is None  # the same stall is not counted again
        assert metrics.loop_stalls._value.get() == before + 1
        watch.beat()  # the loop ran again
        time.sleep(0.08)
        monkeypatch.setattr(stalls, "LOG_EVERY_SECONDS", 0)
        assert watch.look() is not None  # a new stall
        assert metrics.loop_stalls._value.get() == before + 2
    finally:
        release.set()
        thread.join()


def test_logging_is_limited_while_stalls_keep_coming(caplog):
    thread, release = stalled_thread()
    try:
        watch = stalls.StallWatch(thread.ident, stall_seconds=0.01)
        time.sleep(0.02)
        assert watch.look() is not None
        watch.beat()
        time.sleep(0.02)
        assert watch.look() is None  # counted, not logged: within LOG_EVERY_SECONDS
        assert caplog.text.count("has not run for") == 1
    finally:
        release.set()
        thread.join()


def test_no_watch_when_switched_off():
    assert stalls.watch_loop_stalls(0) is None
