"""Which real services the suite runs on: prints `NAME=value` lines for the Makefile.

PostgreSQL and Redis are used whenever they answer. In CI (CI=true) a missing one is an
error, never a reason to skip; on a developer's machine the suite falls back to SQLite and
the in-memory layer and skips only the tests that need the real thing.

TEST_SERVICES=embedded (`make test-embedded`) runs the suite as `make run` runs without them,
even where they answer: SQLite, the in-memory channel layer and the in-process room hub. Only
the tests that need PostgreSQL, Redis or a second process are skipped then, CI or not.
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

# pytest-django keeps an SQLite test database in memory; this file is only its name's source.
EMBEDDED_DATABASE = Path(__file__).resolve().parent.parent / "var" / "test-embedded.sqlite3"


def answers(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def real_services():
    """The URL lines of the services that answer (or are set), and the names of those that don't."""
    lines, missing = [], []
    for name, (host, port, url) in SERVICES.items():
        if os.environ.get(name):
            lines.append(f"{name}={os.environ[name]}")
        elif answers(host, port):
            lines.append(f"{name}={url}")
        else:
            missing.append(f"{name.split('_')[0].lower()} on {host}:{port}")
    return lines, missing


def embedded_services():
    return [
        f"DATABASE_URL=sqlite:///{EMBEDDED_DATABASE}",
        "REDIS_URL=",  # empty: the in-memory layer and the in-process hub (consult/settings.py)
        "TEST_SERVICES=embedded",  # tests/conftest.py skips what needs the real services
    ], []


def main():
    embedded = os.environ.get("TEST_SERVICES") == "embedded"
    lines, missing = embedded_services() if embedded else real_services()
    print("\n".join(lines))
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
