"""Server-side prepared statements for the few statements that run hundreds of times a second.

Django's psycopg connections bind parameters on the client and prepare nothing (its
prepare_threshold is None), so PostgreSQL parses, analyses and plans every statement anew. For
the one-statement post that was half of PostgreSQL's CPU per message: 745 µs per post, 335 µs
with the statement prepared once per connection (bench: posts from one connection, the
backend's CPU read from /proc).

The same goes for a room join's reads and presence row (consult/cases/store.py), thousands at
once in a reconnect storm. Only statements run through here are prepared; everything else keeps
Django's client-side binding. Parameters go to the server typed (a Python str as "unknown", so
the statement's own casts decide), and errors come back as Django's database exceptions.
"""

import contextlib

import psycopg
from django.db import connection
from psycopg.pq import ExecStatus

TUPLES_OK = ExecStatus.TUPLES_OK


def fetch_one_prepared(sql, params):
    """The first row of `sql` (%s or %(name)s placeholders), executed as a prepared statement on
    the default connection, or None. PostgreSQL only; the statement is prepared on the
    connection's first use of it and re-planned by PostgreSQL itself after schema changes."""
    with _prepared_cursor() as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()


def fetch_all_prepared(sql, params):
    """All rows of `sql` as fetch_one_prepared runs it; [] for a statement that returns none."""
    with _prepared_cursor() as cursor:
        cursor.execute(sql, params, prepare=True)
        # The result's status, not cursor.description, which builds an object per column.
        return cursor.fetchall() if cursor.pgresult.status == TUPLES_OK else []


def fetch_all(sql, params):
    """All rows of `sql`: prepared on PostgreSQL (fetch_all_prepared), a plain cursor elsewhere
    (SQLite); [] for a statement that returns none. Datetime parameters are the caller's to adapt
    (connection.ops.adapt_datetimefield_value)."""
    if connection.vendor == "postgresql":
        return fetch_all_prepared(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description is not None else []


@contextlib.contextmanager
def _prepared_cursor():
    # A server-binding cursor on Django's connection, whose prepare_threshold (settings.py) lets
    # prepare=True through.
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor


class _Pipelined:
    """Statements sent to PostgreSQL without waiting for each one's answer (pipelined)."""

    def __init__(self):
        self.cursors = []
        self.failed = False
        self.rows = None

    def send(self, sql, params):
        cursor = psycopg.Cursor(connection.connection)
        self.cursors.append(cursor)
        # psycopg raises a statement's error from whichever later call reads its answer: the
        # transaction's outcome is read once, at its end (ended).
        with contextlib.suppress(psycopg.Error):
            cursor.execute(sql, params, prepare=True)

    def ended(self, *, failed):
        self.failed = failed
        self.rows = [_first_row(cursor) for cursor in self.cursors]
        for cursor in self.cursors:
            cursor.close()


def _first_row(cursor):
    try:
        return cursor.fetchone()
    except psycopg.Error:  # no answer: it failed, was skipped after a failure, or was never sent
        return None


@contextlib.contextmanager
def pipelined():
    """One transaction of prepared statements (fetch_one_prepared), sent in PostgreSQL's
    pipeline mode: each goes as the caller makes it, and PostgreSQL runs it while the caller
    goes on to the next; the transaction commits when the block ends, at one wait for the
    database. Then `rows` holds each statement's first row (None if it returned none or had no
    answer) and `failed` is True if PostgreSQL reported an error: then nothing of it stands.
    A statement psycopg refused to send (its parameters) is not part of it and reports nothing;
    a caller that must know that every statement ran ends with one that returns a row (after
    a failure PostgreSQL skips the rest). PostgreSQL only, outside a transaction (autocommit)."""
    connection.ensure_connection()
    statements = None
    with connection.wrap_database_errors:
        try:
            with connection.connection.pipeline():
                statements = _Pipelined()
                yield statements
        except psycopg.Error:  # read as the transaction ended: a statement or its COMMIT failed
            if statements is None:
                raise
            statements.ended(failed=True)
        else:
            statements.ended(failed=False)
