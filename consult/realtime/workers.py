"""Database work of sockets runs on a small thread pool, each thread with its own connection.

Channels' `database_sync_to_async` runs every ORM call of a process on ONE thread, so a
busy room's posts queue behind each other's round trips to PostgreSQL. Here up to
DB_THREADS calls overlap; the row locks taken by the services keep each room in order
(a case row lock per message, an audit head lock per stream). SQLite gets one thread: it
has one writer anyway.
"""
from concurrent.futures import ThreadPoolExecutor

from channels.db import DatabaseSyncToAsync
from django.conf import settings

_executor = None


def executor():
    global _executor
    if _executor is None:
        sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        threads = 1 if sqlite else settings.DB_THREADS
        _executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="consult-db")
    return _executor


def in_db_thread(func):
    """`database_sync_to_async(func)` on the pool: stale connections closed before and after."""
    return DatabaseSyncToAsync(func, thread_sensitive=False, executor=executor())
