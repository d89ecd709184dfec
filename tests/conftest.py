"""Personas and shared fixtures.

Who may see what:
  alice  therapist in North, owns the North case
  bob    supervisor in North
  carol  peer in North
  oscar  therapist in East: an outsider to every North case, who must get nothing

Users whose role needs MFA (bob; admins) have an authenticator app (a confirmed TOTP device), and
a test client's force_login signs them in as if they had given its code just now: the product's
MFA gate stays on for the whole suite. tests/accounts/ tests the gate itself.
"""

import os
import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from consult.accounts import mfa
from consult.accounts.models import Membership, Role, Team, User
from consult.asgi import application
from consult.cases.services import case_create

IN_CI = os.environ.get("CI") == "true"
# `make test-embedded` (tests/services.py): SQLite and the in-memory layer on purpose, CI or not.
EMBEDDED = os.environ.get("TEST_SERVICES") == "embedded"
ORIGIN = b"http://127.0.0.1:8000"


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


def make_user(username, role, team):
    user = User.objects.create_user(
        username, password="pw-" + username, first_name=username.title(), role=role
    )
    Membership.objects.create(team=team, user=user)
    if mfa.mfa_required(user):
        authenticator(user)
    return user


def authenticator(user):
    """The user's authenticator app (a confirmed TOTP device); made on first call."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": mfa.TOTP_NAME}
    )
    return device


def totp_code(device):
    """The code the user's app shows now. The device accepts each time step once and, after a
    wrong code, waits a second or more before it checks another: both are forgotten first, as
    they would be by a user who waited, so a test may sign the same user in twice in 30 s."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(
        device.digits
    )


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
def oscar(east):
    return make_user("oscar", Role.THERAPIST, east)


@pytest.fixture
def north_case(alice, north):
    return case_create(
        actor=alice,
        team_id=north.pk,
        title="Teen with escalating self-harm",
        summary="Withdrawn for three weeks; no plan disclosed.",
        risk_level="high",
    )


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def connect(user, code, *, after_seq=None, origin=ORIGIN, cookie=None):
    """Open a case-room socket as `user`, the way a signed-in browser does (or with the session
    cookie `cookie` of a sign-in made by the test)."""
    headers = [(b"origin", origin), (b"host", b"127.0.0.1:8000")]
    if user is not None or cookie is not None:
        cookie = cookie or await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    path = f"/ws/cases/{code}/" + (f"?after_seq={after_seq}" if after_seq is not None else "")
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, close_code = await communicator.connect(timeout=5)
    return communicator, connected, close_code


async def joined(user, code, **kwargs):
    """Connect and read the room.joined frame; fails the test if the socket is refused."""
    communicator, connected, _ = await connect(user, code, **kwargs)
    assert connected
    frame = await communicator.receive_json_from(timeout=5)
    assert frame["type"] == "room.joined"
    await receive_until(communicator, "presence")  # the room hears of our arrival, we included
    return communicator, frame


async def receive_until(communicator, frame_type, timeout=5):
    """Next frame of a type, skipping presence and read updates that interleave with it."""
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == frame_type:
            return frame


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
    database; PostgreSQL then aborts one side as a deadlock. The flush is simply tried again."""
    from django.db import OperationalError
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_teardown

    attempts = 10  # a loaded machine keeps a server's transaction open for seconds, not moments

    def fixture_teardown(self):
        for attempt in range(attempts):
            try:
                return original(self)
            except OperationalError:
                if attempt == attempts - 1:
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
