"""Failing fast while the database hangs: a circuit breaker over sockets' database calls.

A hung PostgreSQL (connections open, no bytes back) holds each database thread until it answers,
so every call waits out DB_CALL_TIMEOUT_SECONDS. A socket handles its frames one at a time: its
second post would wait for the first one's limit and then its own, and a frame that checks access
before posting would wait twice. So, per event loop (steps):
  1. a call overruns its limit: the breaker opens for OPEN_SECONDS, and every call meanwhile is
     refused at once with `unavailable` (nothing was stored; the client resends after
     `retry_after`);
  2. then one call goes through as a probe while the others are still refused;
  3. the probe answering in time closes the breaker; overrunning opens it again.
Only overruns of calls that were running open it: a call still queued for a database thread
when its limit passed means a busy process (it is answered `unavailable` alone), a database that
refuses connections fails fast on its own, and one slow query's statement timeout is that
query's error, not the database's.
"""

from consult.core.errors import Unavailable
from consult.core.loops import one_per_event_loop

OPEN_SECONDS = 2.0


class Breaker:
    def __init__(self, loop):
        self.loop = loop
        self.open_until = None  # loop time; None while closed
        self.probing = False

    def admit(self):
        """Raise Unavailable unless a call may go to the database now; True if it is the probe."""
        if self.open_until is None:
            return False
        if self.loop.time() < self.open_until or self.probing:
            raise Unavailable(retry_after=OPEN_SECONDS)
        self.probing = True
        return True

    def refusing(self):
        """Whether calls are being refused now (the breaker is open)."""
        return self.open_until is not None and self.loop.time() < self.open_until

    def overran(self, probe):
        if probe:
            self.probing = False
        self.open_until = self.loop.time() + OPEN_SECONDS

    def settled(self, probe, answered):
        """A call is over: a probe that got an answer closes the breaker (one cancelled, say
        because its socket closed, only lets the next call probe)."""
        if probe:
            self.probing = False
            if answered:
                self.open_until = None


breaker = one_per_event_loop(Breaker)  # this loop's Breaker
