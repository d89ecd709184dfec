"""TEST_DATABASE_ROLE=runtime: the suite's actions run as a least-privilege runtime role.

    TEST_DATABASE_ROLE=runtime make test PYTEST_ARGS="tests/cases tests/records tests/realtime"

The test database is created and migrated as the suite's own role (the superuser `postgres`, as
the owner would); then a fresh LOGIN role gets exactly the runtime role's grants
(consult/core/dbroles.py: SELECT and INSERT only on the audit tables, owns nothing) and every
connection logs in as it: the test's own, the request and socket threads', and the live Daphne
servers, schedulers and cluster (tests/live.py builds their DATABASE_URL from the connection's
user). Only the reset between transactional tests (flush: TRUNCATE, with the audit tables'
TRUNCATE guard lifted) logs in as the owner again, as only the owner could.

Tests that act as the owner or a superuser on purpose (the trigger and role tests in tests/audit,
tests/deploy) are for the default mode, not this one.
"""

import os
import uuid
from contextlib import contextmanager

from django.db import connections

ENABLED = os.environ.get("TEST_DATABASE_ROLE") == "runtime"


@contextmanager
def logged_in_as(user, alias="default"):
    """New connections (of every thread: they share the settings dict) log in as `user`
    meanwhile."""
    connection = connections[alias]
    previous = connection.settings_dict["USER"]
    connection.close()
    connection.settings_dict["USER"] = user
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["USER"] = previous


def start(alias="default"):
    """Create the runtime role on the test database and switch the suite to it; returns
    (owner, role)."""
    from consult.core import dbroles

    connection = connections[alias]
    role = f"consult_test_runtime_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
    dbroles.grant_runtime(connection, role)
    owner = connection.settings_dict["USER"]
    connection.close()
    connection.settings_dict["USER"] = role
    return owner, role


def flush_as(owner, teardown):
    def fixture_teardown(self):
        with logged_in_as(owner):
            return teardown(self)

    return fixture_teardown


def stop(owner, role, alias="default"):
    connection = connections[alias]
    connection.close()
    connection.settings_dict["USER"] = owner
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [role]
        )
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')
