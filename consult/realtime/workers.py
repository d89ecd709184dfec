"""Database work of sockets runs on a small thread pool, each thread with its own connection.

Channels' `database_sync_to_async` runs every ORM call of a process on ONE thread, so a
busy room's posts queue behind each other's round trips to PostgreSQL. Here up to
DB_THREADS calls overlap; the row locks taken by the services keep each room in order
(a case row lock per message, an audit head lock per stream). SQLite gets one thread: it
has one writer anyway.
"""

import asyncio
import functools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import OperationalError

from consult.core.errors import Unavailable
from consult.realtime.db_breaker import breaker

_executor = None


def executor():
    global _executor
    if _executor is None:
        sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        threads = 1 if sqlite else settings.DB_THREADS
        _executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="consult-db")
    return _executor


def in_db_thread(func):
    """`database_sync_to_async(func)` on the pool: stale connections closed before and after.

    A call that has not returned after DB_CALL_TIMEOUT_SECONDS raises Unavailable, so a socket
    answers `unavailable` while a hung database holds the thread (PostgreSQL's own statement
    timeout never fires for a query that never reached it). The thread finishes the call when
    the database answers; a post told `unavailable` and resent is stored once, by its client_id.
    """
    call = DatabaseSyncToAsync(
        _marking_its_start(retrying_transient(func)), thread_sensitive=False, executor=executor()
    )

    @functools.wraps(func)
    async def bounded(*args, **kwargs):
        gate = breaker()
        probe = gate.admit()  # refused at once while a hung database is known (db_breaker.py)
        answered = False
        started = threading.Event()
        try:
            async with asyncio.timeout(settings.DB_CALL_TIMEOUT_SECONDS):
                result = await call(started, *args, **kwargs)
            answered = True
            return result
        except TimeoutError:
            # Only a call that reached a thread and got no answer says the database hangs; one
            # still queued for a thread says this process is busy, and refusing everything
            # for a while would turn a busy spell into an outage.
            if started.is_set():
                gate.overran(probe)
                probe = False
            raise Unavailable() from None
        except Exception:
            answered = True  # an answer, if an error one: the database is not hung
            raise
        finally:
            gate.settled(probe, answered)

    return bounded


def _marking_its_start(func):
    @functools.wraps(func)
    def run(started, *args, **kwargs):
        started.set()
        return func(*args, **kwargs)

    return run


TRANSIENT_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure
ATTEMPTS = 3


def retrying_transient(func):
    """Run a service again when PostgreSQL aborted its transaction to break a deadlock.

    The whole transaction rolled back, so nothing of the first attempt stands; services are
    safe to repeat (a message post is idempotent by its client_id).
    """

    @functools.wraps(func)
    def run(*args, **kwargs):
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

    return run
