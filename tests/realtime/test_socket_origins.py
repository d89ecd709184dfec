"""Only pages of the configured origin open sockets: scheme, host AND port must match, on every
socket route. alice (North) is signed in; another service on her browser's host, another port or
plain http, or a look-alike host must not open sockets as her (cross-site websocket hijacking).
The tests' configured origin is http://127.0.0.1:8000 (tests/conftest.py ORIGIN)."""

import pytest

from consult.realtime.origins import default_origins, origin_tuple
from tests.records.world import build_world
from tests.support.sockets import ROUTES, first_frame, open_socket, route_path

pytestmark = pytest.mark.django_db(transaction=True)

REFUSED = {
    "wrong scheme": (b"https://127.0.0.1:8000",),
    "wrong port": (b"http://127.0.0.1:9999",),
    "default port instead": (b"http://127.0.0.1",),
    "another host name": (b"http://localhost:1234",),
    "look-alike suffix": (b"http://127.0.0.1.evil.example:8000",),
    "look-alike prefix": (b"http://evil127.0.0.1:8000",),
    "user info": (b"http://127.0.0.1:8000@evil.example",),
    "a path": (b"http://127.0.0.1:8000/cases/",),
    "websocket scheme": (b"ws://127.0.0.1:8000",),
    "null": (b"null",),
    "empty": (b"",),
    "missing": (),
    "two origins": (b"http://127.0.0.1:8000", b"http://evil.example"),
}


@pytest.fixture
def world(alice, bob, carol, oscar, north, north_case):
    return build_world(alice, bob, carol, oscar, north, north_case)


async def test_it_refuses_every_other_origin_on_every_route(world):
    results = {}
    for route in ROUTES:
        for name, origins in REFUSED.items():
            communicator, connected, _ = await open_socket(
                world.users["owner"], route_path(route, world), origins=origins
            )
            results[route, name] = connected
            if connected:
                await communicator.disconnect()
    assert results == {(route, name): False for route in ROUTES for name in REFUSED}


async def test_it_admits_the_configured_origin_on_every_route(world):
    first = {}
    for route in ROUTES:
        communicator, connected, _ = await open_socket(
            world.users["owner"], route_path(route, world)
        )
        first[route] = (connected, (await first_frame(communicator))["type"] if connected else None)
        await communicator.disconnect()
    assert first == {
        "case room": (True, "room.joined"),
        "notifications": (True, "dashboard.snapshot"),
        "review room": (True, "review.state"),
    }


async def test_it_follows_allowed_origins_when_it_is_set(world, settings):
    settings.ALLOWED_ORIGINS = ["https://consult.example.org"]
    path = route_path("notifications", world)
    _, connected_old, _ = await open_socket(world.users["owner"], path)
    communicator, connected_new, _ = await open_socket(
        world.users["owner"], path, origins=(b"https://CONSULT.example.org:443",)
    )
    assert (connected_old, connected_new) == (False, True)
    await communicator.disconnect()


def test_the_default_is_site_url_and_each_allowed_host_on_its_port():
    assert default_origins(
        "https://consult.example.org",
        ["consult.example.org", "www.example.org", ".example.org", "[::1]"],
        https=True,
    ) == {
        ("https", "consult.example.org", 443),
        ("https", "www.example.org", 443),
        ("https", "::1", 443),
    }
    assert default_origins("http://127.0.0.1:8000", ["127.0.0.1", "localhost"], https=False) == {
        ("http", "127.0.0.1", 8000),
        ("http", "localhost", 8000),
    }


@pytest.mark.parametrize(
    "text", ["null", "", "file://", "http://", "http://a:99999", "javascript:alert(1)"]
)
def test_it_reads_nothing_from_a_malformed_origin(text):
    assert origin_tuple(text) is None
