"""Database work of sockets runs on a small thread pool, each thread with its own connection.

Channels' `database_sync_to_async` runs every ORM call of a process on ONE thread, so a
busy room's posts queue behind each other's round trips to PostgreSQL. Here up to
DB_THREADS calls overlap; the row locks taken by the services keep each room in order
(a case row lock per message, an audit head lock per stream). SQLite gets one thread: it
has one writer anyway.

Three lanes, each FIFO, and a free thread takes from the first that has work: `URGENT`, what
live delivery waits on (posts, the room hub's reads of a gap); `NORMAL`, what a person waits on
(joins, reads); `BACKGROUND`, what nobody waits on (rechecking access after a Redis outage).
When Redis comes back every socket of the process rechecks its access and fetches what it missed
at the same moment, a few hundred calls at once: in one FIFO queue the posts behind them waited
2.4 s for their ack and delivery, and a reconnecting member ~2 s for its join (bench/faults.py).
"""

import asyncio
import collections
import functools
import queue
import threading
import time
from concurrent.futures import Future

from django.conf import settings
from django.db import OperationalError, close_old_connections

from consult.core.errors import Unavailable
from consult.realtime.db_breaker import breaker

URGENT, NORMAL, BACKGROUND = 0, 1, 2


class DatabaseThreads:
    """`threads` daemon threads taking work from three FIFO lanes, in order of priority.

    A thread blocks on a SimpleQueue of tokens, one per item queued, and takes the item from the
    first lane that has one. SimpleQueue is ThreadPoolExecutor's own queue, in C: the same
    hand-off as before. Waiting on a threading.Condition instead made 500 msg/s over 1,000
    sockets go from p50 16 ms to 150-270 ms (bench/compare.py)."""

    def __init__(self, threads, name="consult-db"):
        self.lanes = (collections.deque(), collections.deque(), collections.deque())
        self.tokens = queue.SimpleQueue()
        self.threads = [
            threading.Thread(target=self._work, name=f"{name}_{i}", daemon=True)
            for i in range(threads)
        ]
        for thread in self.threads:
            thread.start()

    def submit(self, fn, *args, priority=NORMAL, **kwargs):
        """Run fn(*args, **kwargs) on a thread: a concurrent.futures.Future of its result."""
        item = _FutureCall(functools.partial(fn, *args, **kwargs))
        self.put(item, priority)
        return item.future

    def put(self, item, priority=NORMAL):
        """Queue a work item: a thread calls its run()."""
        self.lanes[priority].append(item)
        self.tokens.put(None)

    def finish(self, timeout):
        """Wait, at most `timeout` s, until every item queued so far has run: True if all did.

        A process that is stopping calls it: its threads are daemon threads, which the exit
        would kill mid-statement (a post's transaction rolled back, its sender never told).
        Each thread takes one barrier item from the last lane, after everything queued before
        it and once it has finished its own item, then waits there for the others."""
        barrier = threading.Barrier(len(self.threads) + 1)
        for _ in self.threads:
            self.put(_BarrierCall(barrier), BACKGROUND)
        try:
            barrier.wait(timeout)
        except threading.BrokenBarrierError:
            return False
        return True

    def _next(self):
        # deque appends and pops are atomic; a token is put after its item, so one is there.
        for lane in self.lanes:
            try:
                return lane.popleft()
            except IndexError:
                continue
        raise RuntimeError("a token without work")

    def _work(self):
        while True:
            self.tokens.get()
            self._next().run()


class _BarrierCall:
    __slots__ = ("barrier",)

    def __init__(self, barrier):
        self.barrier = barrier

    def run(self):
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            pass  # finish() gave up waiting: the process is ending anyway


class _FutureCall:
    """submit()'s work item: the result in a thread-safe Future, for callers on any thread."""

    __slots__ = ("future", "call")

    def __init__(self, call):
        self.future, self.call = Future(), call

    def run(self):
        if not self.future.set_running_or_notify_cancel():
            return
        try:
            result = self.call()
        except BaseException as error:  # noqa: BLE001 - handed to the waiting caller
            self.future.set_exception(error)
        else:
            self.future.set_result(result)


class _LoopCall:
    """in_db_thread's work item: answered straight on the caller's event loop.

    A concurrent Future wrapped in an asyncio one, waited on with asyncio.wait, and a
    threading.Event for its start took a fifth of the event loop's CPU in a burst of socket
    joins (two calls each, bench/idle_sockets.py): here one callback crosses threads."""

    __slots__ = ("loop", "call", "started_at", "abandoned", "outcome", "waiter")

    def __init__(self, loop, call):
        self.loop, self.call = loop, call
        self.started_at = None  # time.monotonic() when a thread took it
        self.abandoned = False  # its caller went: a call not yet started never runs
        self.outcome = None  # (True, result) or (False, exception), set on the loop
        self.waiter = None  # the loop future its caller awaits meanwhile

    def run(self):
        if self.abandoned:
            return
        self.started_at = time.monotonic()
        try:
            outcome = (True, self.call())
        except BaseException as error:  # noqa: BLE001 - handed to the waiting caller
            outcome = (False, error)
        try:
            self.loop.call_soon_threadsafe(self._settle, outcome)
        except RuntimeError:
            pass  # the loop has closed: nobody waits any more

    def _settle(self, outcome):
        self.outcome = outcome
        _wake(self.waiter)


def _wake(waiter):
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


_threads = None
_threads_lock = threading.Lock()


def database_threads():
    global _threads
    with _threads_lock:
        if _threads is None:
            sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
            _threads = DatabaseThreads(1 if sqlite else settings.DB_THREADS)
    return _threads


def finish_database_work(timeout):
    """database_threads().finish(timeout), if this process ever started them."""
    return _threads is None or _threads.finish(timeout)


def in_db_thread(func, *, priority=NORMAL, queue_seconds=None):
    """`func` as a coroutine function that runs it on the pool, like Channels'
    `database_sync_to_async`: stale connections closed before and after. `priority`: its lane
    (the module docstring).

    It hands the call to the lane itself rather than through asgiref's SyncToAsync, whose
    context copying and thread bookkeeping were a tenth of the event loop's CPU per socket join
    (bench/idle_sockets.py); nothing here reads context variables. A call still queued when its
    caller is cancelled (a socket that closed) never runs.

    A call that has not returned after DB_CALL_TIMEOUT_SECONDS raises Unavailable, so a socket
    answers `unavailable` while a hung database holds the thread (PostgreSQL's own statement
    timeout never fires for a query that never reached it). The thread finishes the call when
    the database answers; a post told `unavailable` and resent is stored once, by its client_id.

    `queue_seconds`: how long the call may wait for a thread before that limit starts (for a
    handshake: a burst of joins queues behind itself, and a join refused `unavailable` only
    comes back as a whole new handshake, so a busy process admits it late rather than twice).
    It is still refused at once when the breaker opens meanwhile. None: the limit counts from
    the call, queue included.
    """
    return _InDbThread(func, priority, queue_seconds)


class _InDbThread:
    # A plain object, not a closure made with functools.wraps: sockets build one per call.
    __slots__ = ("func", "priority", "queue_seconds")

    def __init__(self, func, priority, queue_seconds):
        self.func, self.priority, self.queue_seconds = func, priority, queue_seconds

    async def __call__(self, *args, **kwargs):
        gate = breaker()
        probe = gate.admit()  # refused at once while a hung database is known (db_breaker.py)
        answered = False
        job = _LoopCall(
            asyncio.get_running_loop(),
            functools.partial(_with_fresh_connections, self.func, args, kwargs),
        )
        database_threads().put(job, self.priority)
        try:
            result = await _answer(job, gate, self.queue_seconds)
            answered = True
            return result
        except TimeoutError:
            # Only a call that reached a thread and got no answer says the database hangs; one
            # still queued for a thread says this process is busy, and refusing everything
            # for a while would turn a busy spell into an outage.
            if _hung(job):
                gate.overran(probe)
                probe = False
            raise Unavailable() from None
        except Exception:
            answered = True  # an answer, if an error one: the database is not hung
            raise
        finally:
            job.abandoned = True  # a no-op once started; a queued call whose caller went never runs
            gate.settled(probe, answered)


# A call that overran says the database hangs only when it had itself been running this long (or
# half its limit, if less) when its caller gave up. One that spent its limit queued behind a
# burst and started just before the end says the process is busy: in a reconnect storm, 5,000
# queued room leaves each had a few milliseconds' chance of that, and every such one refused all
# handshakes for OPEN_SECONDS (bench/idle_sockets.py: 2,987 refused in one storm).
HUNG_AFTER_SECONDS = 1.0


def _hung(job):
    if job.started_at is None:
        return False
    running = time.monotonic() - job.started_at
    return running >= min(HUNG_AFTER_SECONDS, settings.DB_CALL_TIMEOUT_SECONDS / 2)


# How often a call queued with queue_seconds looks whether the breaker opened: as often as a
# call without it would have been answered. Every queued call wakes this often, and in a burst
# thousands are queued: once a second cost a third of the burst's CPU.
def queue_check_seconds():
    return settings.DB_CALL_TIMEOUT_SECONDS


async def _answer(job, gate, queue_seconds):
    limit, called = settings.DB_CALL_TIMEOUT_SECONDS, time.monotonic()
    while job.outcome is None:
        started = job.started_at
        if started is not None:
            deadline = (called if queue_seconds is None else started) + limit
            wait = deadline - time.monotonic()
        elif queue_seconds is None:
            wait = called + limit - time.monotonic()
        elif gate.refusing():
            raise TimeoutError  # the database hangs: a call still queued is answered now
        else:
            wait = min(called + queue_seconds - time.monotonic(), queue_check_seconds())
        if wait <= 0:
            raise TimeoutError
        job.waiter = job.loop.create_future()
        timer = job.loop.call_later(wait, _wake, job.waiter)
        try:
            await job.waiter
        finally:
            timer.cancel()
            job.waiter = None
    succeeded, value = job.outcome
    if succeeded:
        return value
    raise value


def _with_fresh_connections(func, args, kwargs):
    # As Channels' DatabaseSyncToAsync: a connection past CONN_MAX_AGE or left broken is closed
    # before the call (and reopened by it), and after it.
    close_old_connections()
    try:
        return _retrying_transient(func, args, kwargs)
    finally:
        close_old_connections()


TRANSIENT_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure
ATTEMPTS = 3


def retrying_transient(func):
    """Run a service again when PostgreSQL aborted its transaction to break a deadlock.

    The whole transaction rolled back, so nothing of the first attempt stands; services are
    safe to repeat (a message post is idempotent by its client_id).
    """

    @functools.wraps(func)
    def run(*args, **kwargs):
        return _retrying_transient(func, args, kwargs)

    return run


def _retrying_transient(func, args, kwargs):
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return func(*args, **kwargs)
        except OperationalError as error:
            if (
                attempt == ATTEMPTS
                or getattr(error.__cause__, "sqlstate", None) not in TRANSIENT_SQLSTATES
            ):
                raise
            time.sleep(0.01 * attempt)
