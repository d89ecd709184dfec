"""Real `manage.py run_scheduler` processes on the test database,
and a personal socket to a live server."""

import json
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

from django.conf import settings
from websockets.sync.client import connect

from tests.live import ROOT, server_env
from tests.support.sockets import session_cookie


class Scheduler:
    def __init__(self, log_path):
        self.log = open(log_path, "a")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_scheduler", "--interval", "0.1"],
            cwd=ROOT,
            env=server_env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self):
        """SIGKILL: no clean shutdown, as in a crash or an OOM kill."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.log.close()


def wait_for(predicate, timeout=15, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


@contextmanager
def personal_socket(server, user):
    """The user's /ws/me/ socket on a live server, past its opening snapshot."""
    with connect(
        server.url.replace("http", "ws") + "/ws/me/",
        origin=server.url,
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_cookie(user)}"},
    ) as ws:
        snapshot = json.loads(ws.recv(timeout=10))
        assert snapshot["type"] == "dashboard.snapshot"
        yield ws


def next_frame(ws, frame_type, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        if frame["type"] == frame_type:
            return frame
