"""Autovacuum's work, done by the bench when the PostgreSQL it measures has autovacuum off.

Every production PostgreSQL runs autovacuum: it ANALYZEs a table once more than
autovacuum_analyze_threshold + autovacuum_analyze_scale_factor x its rows have changed, and
VACUUMs it on the same rule for dead rows. Some machines here run PostgreSQL with it off
(consult.W003 warns of it). There, a bench on a new database planned every post against a
messages table the last ANALYZE saw empty: its duplicate check became a sequential scan, each
post read every message posted before it, and p99 grew by the second (4.7 s after 11 s of
500 msg/s in one run; 610 million rows read by sequential scans over five runs). Autovacuum
would have analysed that table within a minute of its first 50 rows.

AutovacuumStandIn applies autovacuum's own rule, with the server's own thresholds, looking every
few seconds while a bench runs; it does nothing when autovacuum is on. Like autovacuum, which
visits a database once per autovacuum_naptime (1 min by default), it passes over a table at most
once per naptime, but for its first pass, which comes as soon as the table is due. Looking every
5 s with no naptime, it re-analysed the messages and audit tables every 5-10 s at 1,200 msg/s
(150-320 ms of PostgreSQL's CPU each), and the seconds it did so were the ones over 100 ms in
bench/compare.py's runs (PostgreSQL's log against the runs' seconds).
"""

import threading
import time

import psycopg
from psycopg import sql

TABLES_DUE = """
SELECT s.relname,
       s.n_mod_since_analyze > a.threshold + a.scale * c.reltuples AS analyze_due,
       s.n_dead_tup > v.threshold + v.scale * c.reltuples AS vacuum_due
  FROM pg_stat_user_tables s
  JOIN pg_class c ON c.oid = s.relid,
       (SELECT current_setting('autovacuum_analyze_threshold')::float AS threshold,
               current_setting('autovacuum_analyze_scale_factor')::float AS scale) a,
       (SELECT current_setting('autovacuum_vacuum_threshold')::float AS threshold,
               current_setting('autovacuum_vacuum_scale_factor')::float AS scale) v
 WHERE s.schemaname = 'public'
"""

SETTINGS = """
SELECT current_setting('autovacuum') = 'on',
       extract(epoch FROM current_setting('autovacuum_naptime')::interval)::float
"""


class AutovacuumStandIn:
    """A thread doing autovacuum's analyze and vacuum passes on `database_url`, if it is a
    PostgreSQL with autovacuum off, for as long as the `with` block runs."""

    def __init__(self, database_url, *, every_seconds=5.0):
        self.database_url = database_url
        self.every_seconds = every_seconds
        self.stopped = threading.Event()
        self.thread = None
        self.passed_at = {}  # table -> time.monotonic() of this stand-in's last pass over it
        self.naptime = None  # the server's autovacuum_naptime, in seconds

    def __enter__(self):
        if not self.database_url.startswith("postgres"):
            return self
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            autovacuum_on, self.naptime = connection.execute(SETTINGS).fetchone()
        if not autovacuum_on:
            self.thread = threading.Thread(target=self._run, name="autovacuum-stand-in")
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()

    def _run(self):
        while not self.stopped.wait(self.every_seconds):
            try:
                self.run_once()
            except psycopg.Error as error:  # e.g. the fault bench stopped the database
                print(f"autovacuum stand-in: {type(error).__name__}", flush=True)

    def run_once(self):
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            for table, analyze_due, vacuum_due in connection.execute(TABLES_DUE).fetchall():
                now, last = time.monotonic(), self.passed_at.get(table)
                if not (analyze_due or vacuum_due) or (
                    last is not None and now - last < self.naptime
                ):
                    continue
                self.passed_at[table] = now
                name = sql.Identifier(table)
                if vacuum_due:
                    connection.execute(sql.SQL("VACUUM ANALYZE {}").format(name))
                elif analyze_due:
                    connection.execute(sql.SQL("ANALYZE {}").format(name))
