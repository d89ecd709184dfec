"""The socket database threads' lanes (consult/realtime/workers.py): what live delivery waits on
(posts, gap reads) is taken before what people wait on (joins, reads), and that before what nobody
waits on (access rechecks after a Redis outage), whatever was queued first."""

import threading

import pytest

from consult.realtime.workers import BACKGROUND, NORMAL, URGENT, DatabaseThreads


def test_work_is_taken_by_priority_then_in_the_order_it_came():
    threads = DatabaseThreads(1, name="test-db")
    release, ran = threading.Event(), []
    blocker = threads.submit(release.wait, 5)
    queued = [threads.submit(ran.append, f"recheck {i}", priority=BACKGROUND) for i in range(2)]
    queued += [threads.submit(ran.append, f"join {i}", priority=NORMAL) for i in range(2)]
    queued += [threads.submit(ran.append, "post", priority=URGENT)]
    release.set()
    for future in [blocker, *queued]:
        future.result(timeout=5)
    assert ran == ["post", "join 0", "join 1", "recheck 0", "recheck 1"]


def test_each_lane_keeps_its_order_and_errors_reach_the_caller():
    threads = DatabaseThreads(2, name="test-db")
    ran = []
    futures = [threads.submit(ran.append, i, priority=URGENT) for i in range(20)]
    for future in futures:
        future.result(timeout=5)
    assert sorted(ran) == list(range(20))
    failing = threads.submit(int, "not a number", priority=NORMAL)
    with pytest.raises(ValueError):
        failing.result(timeout=5)


def test_finish_waits_for_everything_queued_and_running():
    """A stopping process lets its threads finish: a post queued or under way is not cut off."""
    threads = DatabaseThreads(3, name="test-db")
    release, ran = threading.Event(), []

    def slow(name):
        release.wait(5)
        ran.append(name)

    for i in range(3):
        threads.submit(slow, f"running {i}", priority=URGENT)
    for lane, name in ((BACKGROUND, "recheck"), (NORMAL, "join"), (URGENT, "post")):
        threads.submit(ran.append, name, priority=lane)
    threading.Timer(0.3, release.set).start()
    assert threads.finish(timeout=5) is True
    assert sorted(ran) == ["join", "post", "recheck", "running 0", "running 1", "running 2"]


def test_finish_gives_up_on_a_call_that_never_returns():
    threads = DatabaseThreads(2, name="test-db")
    stuck = threading.Event()
    threads.submit(stuck.wait, 5)
    assert threads.finish(timeout=0.3) is False
    stuck.set()
    # The thread that was free is not left waiting at the barrier: it takes new work.
    assert threads.submit(lambda: "answered").result(timeout=5) == "answered"
