"""The scheduler process: consult.scheduler.loop until SIGTERM or SIGINT."""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from consult.scheduler.loop import SchedulerLoop


class Command(BaseCommand):
    help = (
        "Escalate unanswered pages, repeat pages, send reminders, e-mails and webhooks. "
        "Runs until stopped."
    )

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
        loop = SchedulerLoop(idle_seconds=interval)
        while not self.stopping:
            wait = loop.run_pass()
            if once:
                break
            time.sleep(wait)

    def _stop(self, signum, frame):
        self.stopping = True
