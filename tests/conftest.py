"""Personas and shared fixtures. Helpers are in tests/support/.

Who may see what (each name means one person everywhere in the suite):
  alice    therapist in North, owns the North case
  bob      supervisor in North (primary on call in tests/oncall/)
  carol    peer in North
  dave     supervisor in North (backup on call in tests/oncall/)
  erin     supervisor in North, not on shift (tests/oncall/)
  olga     supervisor in East: an outsider to every North case, who may break the glass
  oscar    therapist in East: an outsider to every North case, who must get nothing
  dana     admin in East: no member of North, yet reads (only) the audit trail of every case
  root     a superuser (Django admin), made where a test needs one
Made in place by the few files that need them, by role: tess (a therapist in North who does not
own the case) and ada (admin in North) in tests/records/world.py; sam, a supervisor in North who
has not enrolled MFA (tests/accounts/test_mfa.py); mallory, a supervisor in North who plants
formulas (tests/hours/); fay and gil, users joining East and North (tests/audit/).

Users whose role needs MFA (supervisors, admins) have an authenticator app (a confirmed TOTP
device), and a test client's force_login signs them in as if they had given its code just now:
the product's MFA gate stays on for the whole suite. tests/accounts/ tests the gate itself.
"""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device

from consult.accounts import mfa
from consult.accounts.models import Role, Team
from consult.cases.services import case_create
from tests.support.people import authenticator, make_user

IN_CI = os.environ.get("CI") == "true"
# `make test-embedded` (tests/services.py): SQLite and the in-memory layer on purpose, CI or not.
EMBEDDED = os.environ.get("TEST_SERVICES") == "embedded"


def on_postgres():
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def on_redis():
    return bool(settings.REDIS_URL)


def pytest_collection_modifyitems(config, items):
    """Outside CI, tests that need a missing real service are skipped; in CI they must run,
    unless the run is embedded on purpose (then only those needing PostgreSQL or Redis skip)."""
    # Playwright's sync API keeps an event loop running in the main thread while Chromium is
    # open, which async tests cannot share: browser tests run last.
    items.sort(key=lambda item: "tests/browser/" in str(item.fspath))
    available = {
        "postgres": on_postgres(),
        "redis": on_redis(),
        "browser": os.path.exists("/usr/bin/chromium"),
        "nginx": os.path.exists("/usr/sbin/nginx"),
    }
    for item in items:
        missing = [
            marker for marker, ok in available.items() if item.get_closest_marker(marker) and not ok
        ]
        if not missing:
            continue
        if EMBEDDED and set(missing) <= {"postgres", "redis"}:
            reason = f"an embedded run (make test-embedded) has no {' or '.join(missing)}"
        elif IN_CI:
            raise pytest.UsageError(
                f"CI needs {missing[0]} for {item.nodeid}, and it is not available"
            )
        else:
            reason = f"{' and '.join(missing)} not available here"
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session", autouse=True)
def forced_logins_give_their_second_factor():
    """client.force_login(user) of a user with (or needing) MFA yields a session that gave a code
    just now, as a real sign-in would; a client with `password_only = True` does not."""
    from django.test.client import ClientMixin

    original = ClientMixin._login

    def login(self, user, backend=None):
        original(self, user, backend)
        if getattr(self, "password_only", False) or not (
            mfa.mfa_required(user) or user_has_device(user)
        ):
            return
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
        session[mfa.MFA_VERIFIED_AT] = time.time()
        session.save()

    ClientMixin._login = login
    yield
    ClientMixin._login = original


@pytest.fixture
def north(db):
    return Team.objects.create(name="North")


@pytest.fixture
def east(db):
    return Team.objects.create(name="East")


@pytest.fixture
def alice(north):
    return make_user("alice", Role.THERAPIST, north)


@pytest.fixture
def bob(north):
    return make_user("bob", Role.SUPERVISOR, north)


@pytest.fixture
def carol(north):
    return make_user("carol", Role.PEER, north)


@pytest.fixture
def dave(north):
    return make_user("dave", Role.SUPERVISOR, north)


@pytest.fixture
def erin(north):
    return make_user("erin", Role.SUPERVISOR, north)


@pytest.fixture
def olga(east):
    return make_user("olga", Role.SUPERVISOR, east)


@pytest.fixture
def oscar(east):
    return make_user("oscar", Role.THERAPIST, east)


@pytest.fixture
def dana(east):
    return make_user("dana", Role.ADMIN, east)


@pytest.fixture
def north_case(alice, north):
    return case_create(
        actor=alice,
        team_id=north.pk,
        title="Teen with escalating self-harm",
        summary="Withdrawn for three weeks; no plan disclosed.",
        risk_level="high",
    )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite the test database is a file (pytest-django would keep it in memory), so that the
    live servers of the browser tests can open it too."""
    database = settings.DATABASES["default"]
    if not on_postgres():
        name = Path(database["NAME"]).with_name(f"test-{os.getpid()}.sqlite3")
        database.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(scope="session")
def live_servers(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two Daphne processes on the test database, sharing the real Redis channel layer."""
    from tests.live import DaphneServer

    logs = tmp_path_factory.mktemp("daphne")
    servers = [DaphneServer(logs / f"daphne-{i}.log") for i in range(2)]
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture(scope="session", autouse=True)
def flush_retries_a_deadlock():
    """Live servers may still be finishing a request when a transactional test truncates the
    database; PostgreSQL then aborts one side as a deadlock. The flush is simply tried again.
    (Django's flush command reports the deadlock as a CommandError raised from it.)"""
    from django.core.management.base import CommandError
    from django.db import OperationalError
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_teardown

    attempts = 10  # a loaded machine keeps a server's transaction open for seconds, not moments

    def fixture_teardown(self):
        for attempt in range(attempts):
            try:
                return original(self)
            except (OperationalError, CommandError) as error:
                deadlocked = isinstance(error, OperationalError) or isinstance(
                    error.__cause__, OperationalError
                )
                if not deadlocked or attempt == attempts - 1:
                    raise
                time.sleep(0.5)

    TransactionTestCase._fixture_teardown = fixture_teardown
    yield
    TransactionTestCase._fixture_teardown = original


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing_for_fixtures():
    """Production hashes with Argon2 (tests/accounts/test_passwords.py proves it); fixtures
    need not pay for it."""
    settings.PASSWORD_HASHERS = ["tests.hashers.OneRoundPBKDF2", *settings.PASSWORD_HASHERS]


@pytest.fixture(scope="session", autouse=True)
def no_session_sweep_in_the_test_process():
    """The test process's own sockets need no sweep task on each test's event loop (tests end
    sessions by calling the sweep); the live servers run theirs (tests/live.py)."""
    settings.SESSION_SWEEP_IN_SERVER = False


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """channels-redis binds its locks to the event loop that first used them;
    each test has its own."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(scope="session", autouse=True)
def release_test_database(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end any connection a server or thread left open."""
    yield
    from django.db import OperationalError, connection

    if not on_postgres() or not connection.settings_dict["NAME"].startswith("test_"):
        return
    try:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    except OperationalError:
        pass  # no test database was made: nothing to release


@pytest.fixture(scope="session", autouse=True)
def database_role(release_test_database, django_db_blocker):
    """With TEST_DATABASE_ROLE=runtime, every connection is the least-privilege runtime role's
    (tests/runtime_role.py); the reset between transactional tests stays the owner's."""
    from django.test import TransactionTestCase

    from tests import runtime_role

    if not runtime_role.ENABLED or not on_postgres():
        yield
        return
    with django_db_blocker.unblock():
        owner, role = runtime_role.start()
    original = TransactionTestCase._fixture_teardown
    TransactionTestCase._fixture_teardown = runtime_role.flush_as(owner, original)
    yield role
    TransactionTestCase._fixture_teardown = original
    with django_db_blocker.unblock():
        runtime_role.stop(owner, role)
