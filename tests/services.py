"""Which real services the suite runs on: prints `NAME=value` lines for the Makefile.

PostgreSQL and Redis are used whenever they answer. In CI (CI=true) a missing one is an
error, never a reason to skip; on a developer's machine the suite falls back to SQLite and
the in-memory layer and skips only the tests that need the real thing.
"""

import hashlib
import os
import socket
import sys
from pathlib import Path

# Each checkout gets its own database (and so its own test database), so two checkouts or
# worktrees on one machine can run their suites at the same time without dropping each other's.
CHECKOUT = hashlib.sha256(str(Path(__file__).resolve().parent.parent).encode()).hexdigest()[:8]

SERVICES = {
    "DATABASE_URL": ("127.0.0.1", 5432, f"postgres://postgres@127.0.0.1:5432/consult_{CHECKOUT}"),
    "REDIS_URL": ("127.0.0.1", 6379, "redis://127.0.0.1:6379/0"),
}


def answers(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def main():
    missing = []
    for name, (host, port, url) in SERVICES.items():
        if os.environ.get(name):
            print(f"{name}={os.environ[name]}")
        elif answers(host, port):
            print(f"{name}={url}")
        else:
            missing.append(f"{name.split('_')[0].lower()} on {host}:{port}")
    # Each run gets its own channel-layer prefix, so runs sharing one Redis never hear each other.
    print(f"CHANNEL_PREFIX={os.environ.get('CHANNEL_PREFIX') or f'consult-test-{os.getpid()}'}")
    print("EMBEDDED_SCHEDULER=0")  # tests start their schedulers themselves
    print("HTTPS=0")  # the test servers speak plain http on localhost (consult/settings.py)
    print("CONN_MAX_AGE=0")  # the suite drops its database at the end: no connection may linger
    # Setting up and dropping the test database, and truncating it while live servers finish,
    # may wait on locks longer than production's 15 s statement limit on a busy machine.
    print(f"DB_CALL_TIMEOUT_SECONDS={os.environ.get('DB_CALL_TIMEOUT_SECONDS') or 60}")
    print(f"DB_STATEMENT_TIMEOUT_MS={os.environ.get('DB_STATEMENT_TIMEOUT_MS') or 120000}")
    if missing:
        print(f"services not answering: {', '.join(missing)}", file=sys.stderr)
        if os.environ.get("CI") == "true":
            sys.exit(1)


if __name__ == "__main__":
    main()
