"""The one scheduler loop: every kind of due work, then an audit checkpoint now and then.

Each job claims due rows so that two schedulers never do one job twice (see each job's module);
a claimed row is already written, so a restart loses nothing. The loop runs in two places:
`manage.py run_scheduler` (beside Daphne when REDIS_URL is set) and, in the embedded default,
as a task on the web process's event loop (`embedded.py`). Both call `SchedulerLoop.run_pass`
and wait the seconds it returns:

1. Run every job in JOBS once, in order (deliveries last, so a reminder queued in this pass
   goes out in this pass).
2. Run the CHORES that are due: every CHECKPOINT_SECONDS, sign the audit heads that moved; every
   PRESENCE_EXPIRY_SECONDS, delete the presence rows of sockets whose process went without
   saying (consult/cases/rooms.py).
3. Return 0 when some job did work (there may be more), IDLE_SECONDS when none did, and
   ERROR_SECONDS when a pass failed: a bad row or a lost connection must not stop paging for good.
"""

import logging
import time
from typing import NamedTuple

from django.db import close_old_connections
from django.utils import timezone

from consult.audit.checkpoints import checkpoint_all_streams
from consult.cases.rooms import expire_stale_presence
from consult.emergency.services import expire_due_grants
from consult.oncall.deliveries import deliver_due
from consult.oncall.scheduler import escalate_due, repeat_due_pages
from consult.records.followups.reminders import remind_due_followups

log = logging.getLogger(__name__)

JOBS = (escalate_due, repeat_due_pages, remind_due_followups, expire_due_grants, deliver_due)
IDLE_SECONDS = 0.5
ERROR_SECONDS = 1.0
CHECKPOINT_SECONDS = 60
PRESENCE_EXPIRY_SECONDS = 60


class Chore(NamedTuple):
    """Work done every so many seconds rather than every pass. A failed run is logged, and the
    next one does what it missed."""

    what: str
    every: float
    run: object
    at_start: bool  # also in the first pass, or only once `every` has passed


CHORES = (
    Chore("audit checkpoint", CHECKPOINT_SECONDS, checkpoint_all_streams, at_start=False),
    # Not a job of every pass: it reads the whole presence table (no index on seen_at, which
    # every socket's refresh rewrites).
    Chore("presence expiry", PRESENCE_EXPIRY_SECONDS, expire_stale_presence, at_start=True),
)


def tick(now=None):
    """One pass over every kind of due work; returns how many jobs were done."""
    now = now or timezone.now()
    return sum(job(now) for job in JOBS)


class SchedulerLoop:
    def __init__(self, idle_seconds=IDLE_SECONDS):
        self.idle_seconds = idle_seconds
        now = time.monotonic()
        self.due = [now if chore.at_start else now + chore.every for chore in CHORES]

    def run_pass(self):
        """One pass (steps 1-3 above); returns the seconds to wait before the next."""
        close_old_connections()
        try:
            done = tick()
        except Exception:  # a bad row or a lost connection must not stop paging for good
            log.exception("scheduler pass failed; retrying")
            return ERROR_SECONDS
        self._run_due_chores()
        return 0 if done else self.idle_seconds

    def _run_due_chores(self):
        for i, chore in enumerate(CHORES):
            if time.monotonic() < self.due[i]:
                continue
            self.due[i] = time.monotonic() + chore.every
            try:
                chore.run()
            except Exception:  # the next run does what this one missed
                log.exception("%s failed", chore.what)
