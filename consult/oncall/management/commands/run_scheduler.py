"""The scheduler process: a loop around consult.oncall.scheduler.tick (see that module)."""

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from consult.audit.checkpoints import checkpoint_all_streams
from consult.oncall.scheduler import tick

log = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 60


class Command(BaseCommand):
    help = "Escalate unanswered pages, repeat pages, send reminders, e-mails and webhooks. Runs until stopped."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=0.5, help="seconds between passes when idle"
        )
        parser.add_argument("--once", action="store_true", help="run one pass and exit")

    def handle(self, *args, interval, once, **options):
        if settings.EMBEDDED_SCHEDULER and not once:
            self.stdout.write(
                "embedded mode (no REDIS_URL): the web process runs the scheduler itself"
            )
            return
        self.stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.stdout.write("scheduler running", ending="\n")
        self.stdout.flush()
        next_checkpoint = time.monotonic() + CHECKPOINT_SECONDS
        while not self.stopping:
            done = self._pass()
            if time.monotonic() >= next_checkpoint:
                self._checkpoint()
                next_checkpoint = time.monotonic() + CHECKPOINT_SECONDS
            if once:
                break
            if not done:
                time.sleep(interval)

    def _pass(self):
        close_old_connections()
        try:
            return tick()
        except Exception:  # a bad row or a lost connection must not stop paging for good
            log.exception("scheduler pass failed; retrying")
            time.sleep(1)
            return 0

    def _checkpoint(self):
        try:
            checkpoint_all_streams()
        except Exception:
            log.exception("audit checkpoint failed")

    def _stop(self, signum, frame):
        self.stopping = True
