"""Real Daphne processes serving the test database, for cross-process and browser tests."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"  # a file: tests/conftest.py django_db_modify_db_settings
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def server_env():
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CHANNEL_PREFIX": settings.CHANNEL_PREFIX,
        "CONN_MAX_AGE": "0",  # tests truncate tables between runs: hold no idle connections
        "SERVE_STATIC": "1",
        "HTTPS": "0",  # plain http on localhost
        "PYTHONUNBUFFERED": "1",
        "SESSION_SWEEP_IN_SERVER": "1",
        "SESSION_SWEEP_SECONDS": "1",  # idle logoff closes sockets within a second of the deadline
    }


class DaphneServer:
    def __init__(self, log_path, env=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w")
        # Pages of this server (and clients saying they are) may open sockets; the concurrency test
        # opens 50 sockets as one user, over the default per-user cap of 20.
        env = {
            **server_env(),
            "ALLOWED_ORIGINS": self.url,
            "WS_MAX_SOCKETS_PER_USER": "100",
            **(env or {}),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "consult.server",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "consult.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited early; see {self.log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("daphne did not start in time")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
