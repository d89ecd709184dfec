"""Property: whatever malformed frame a client sends on any of the three sockets, and whatever query
string it puts on a handshake, the server answers with a typed error naming the field, never an
HTTP 500 or a 1011; the socket stays usable and nothing is stored.

Frames are generated from the protocol's own tables (every client frame type of every socket),
each with one thing wrong: a required field dropped, a value of the wrong kind, an integer out of
range, an unknown field, or an unknown type. alice owns the North case;
the review is in progress."""

from urllib.parse import quote

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.audit.models import AuditEvent
from consult.cases.models import Message
from consult.realtime.protocol import (
    CLIENT_FRAMES,
    MAX_INT,
    NOTIFICATION_FRAMES,
    WS_CLOSE_BAD_REQUEST,
)
from consult.realtime.review_protocol import REVIEW_FRAMES
from consult.records.reviews.models import AgendaItem
from tests.records.world import build_world
from tests.support.sockets import first_frame, open_socket, route_path

pytestmark = pytest.mark.django_db(transaction=True)
TABLES = {
    "case room": CLIENT_FRAMES,
    "notifications": NOTIFICATION_FRAMES,
    "review room": REVIEW_FRAMES,
}
VALID = {
    int: st.integers(min_value=1, max_value=50),
    str: st.just("c1"),
    list: st.just([]),
}  # each field's well-formed value, so the one mutation is what is wrong
WRONG_KIND = {
    int: st.one_of(
        st.text(max_size=5),
        st.floats(allow_nan=False, allow_infinity=False),  # JSON carries neither
        st.booleans(),
        st.lists(st.integers(), max_size=2),
        st.integers(min_value=MAX_INT + 1),
        st.integers(max_value=-1),
        st.just("７"),
        st.just("²"),
    ),
    str: st.one_of(
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),  # JSON carries neither
        st.booleans(),
        st.lists(st.text(), max_size=2),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    ),
    list: st.one_of(
        st.integers(),
        st.text(max_size=5),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        st.lists(st.integers(), min_size=1, max_size=3),
    ),
}


def malformed(table):
    """(frame, the field the error must name)."""
    return st.sampled_from(sorted(table)).flatmap(
        lambda frame_type: st.one_of(
            *[_mutations(frame_type, table[frame_type], name) for name in table[frame_type]],
            _fixed(frame_type, table[frame_type]).map(lambda f: ({**f, "urgent": True}, "urgent")),
            _fixed(frame_type, table[frame_type]).map(
                lambda f: ({**f, "type": f["type"] + ".x"}, "type")
            ),
        )
    )


def _fixed(frame_type, schema):
    return st.fixed_dictionaries({name: VALID[spec.kind] for name, spec in schema.items()}).map(
        lambda fields: {"type": frame_type, **fields}
    )


def _mutations(frame_type, schema, name):
    wrong = WRONG_KIND[schema[name].kind].map(lambda value: ("wrong", value))
    if schema[name].required:
        wrong = st.one_of(wrong, st.just(("missing", None)))

    def apply(pair):
        base, (how, value) = pair
        frame = {k: v for k, v in base.items() if k != name}
        if how == "wrong":
            frame[name] = value
        return frame, name

    return st.tuples(_fixed(frame_type, schema), wrong).map(apply)


def stored_counts():
    return (
        Message.objects.count(),
        AuditEvent.objects.count(),
        list(AgendaItem.objects.order_by("pk").values_list("minutes", flat=True)),
    )


@pytest.fixture
def world(alice, bob, carol, oscar, north, north_case):
    return build_world(alice, bob, carol, oscar, north, north_case)


async def answer(ws):
    """The next frame that answers the client, skipping the room's own news (presence, reads,
    review state)."""
    while True:
        frame = await ws.receive_json_from(timeout=5)
        if frame["type"] not in ("presence", "read.updated", "review.state"):
            return frame


async def refused_then_usable(world, route, frames):
    """Send each frame on a fresh socket of the facilitator (bob): every answer, then a ping's."""
    ws, connected, _ = await open_socket(world.users["supervisor"], route_path(route, world))
    assert connected
    try:
        await first_frame(ws)
        before = await database_sync_to_async(stored_counts)()
        for frame, field in frames:
            await ws.send_json_to(frame)
            error = await answer(ws)
            assert (error["type"], error.get("field")) == ("error", field), (frame, error)
            assert error["code"] in ("invalid_field", "unknown_type", "too_large")
            if isinstance(frame.get("type"), str):
                assert error["request"] == frame["type"][:40]
            if frame.get("client_id") == "c1":
                assert error["client_id"] == "c1"
        await ws.send_json_to({"type": "ping"})
        assert await answer(ws) == {"type": "pong"}  # still usable
        assert await database_sync_to_async(stored_counts)() == before  # nothing stored
    finally:  # a failing example must not leave its socket holding one of the user's slots
        await ws.disconnect()


@pytest.mark.parametrize("route", TABLES)
def test_every_malformed_frame_gets_a_typed_error_naming_the_field(world, route):
    @settings(
        max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(malformed(TABLES[route]), min_size=1, max_size=5))
    def check(frames):
        async_to_sync(refused_then_usable)(world, route, frames)

    check()


queries = st.one_of(
    st.text(max_size=12).map(lambda s: "after_seq=" + quote(s)),
    st.integers().map(lambda n: f"after_seq={n}"),
    st.lists(
        st.sampled_from(
            [
                "after_seq=1",
                "after_seq=",
                "after_seq",
                "x=1",
                "&",
                "=",
                "after_seq=%EF%BC%91",
                f"after_seq={MAX_INT}",
                f"after_seq={MAX_INT + 1}",
                "after_seq=%C2%B2",
            ]
        ),
        max_size=3,
    ).map("&".join),
)


async def handshake(world, query):
    """Each route with the query: (route, outcome),
    the case room's outcome saying how it answered."""
    outcomes = {}
    for route in TABLES:
        ws, connected, _ = await open_socket(
            world.users["owner"], route_path(route, world), query=query
        )
        assert connected, (route, query)  # never refused with an HTTP error for a query
        frame = await first_frame(ws)
        if frame["type"] == "error":
            assert (route, frame["code"], frame["field"]) == (
                "case room",
                "invalid_field",
                "after_seq",
            )
            assert await ws.receive_output(timeout=5) == {
                "type": "websocket.close",
                "code": WS_CLOSE_BAD_REQUEST,
            }
            await ws.disconnect()
            outcomes[route] = "refused"
        else:
            await ws.disconnect()
            outcomes[route] = frame["type"]
    return outcomes


def test_every_handshake_query_is_admitted_or_answered_with_a_typed_error(world):
    @settings(
        max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(queries)
    def check(query):
        outcomes = async_to_sync(handshake)(world, query)
        assert (
            outcomes["notifications"] == "dashboard.snapshot"
            and outcomes["review room"] == "review.state"
        )

    check()
