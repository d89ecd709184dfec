"""Property: whatever order and duplication frames arrive in, a room delivers each seq at most
once and only in increasing order; when the hold never gives up, every seq arrives exactly once."""

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from consult.realtime import hub

arrivals = st.integers(min_value=2, max_value=30).flatmap(
    lambda n: st.tuples(
        st.permutations(range(2, n + 1)),
        st.lists(st.integers(min_value=1, max_value=n), max_size=10),  # duplicates
        st.just(n),
    )
)


def room_recording():
    room, got = hub.Room(), []

    async def send(text):
        got.append(int(text))

    room.members["a"] = hub.Member(send=send)
    return room, got


async def arrive(room, order, duplicates, flush_every=None):
    for i, seq in enumerate(order):
        await room.receive(seq, str(seq))
        if duplicates:
            dup = duplicates[i % len(duplicates)]
            await room.receive(dup, str(dup))
        if flush_every and i % flush_every == 0:
            await room.flush()  # as if the hold gave up right now


@settings(max_examples=200, deadline=None)
@given(arrivals)
def test_every_seq_is_delivered_exactly_once_in_order_when_the_hold_waits(case):
    order, duplicates, n = case

    async def run():
        room, got = room_recording()
        await room.receive(1, "1")
        await arrive(room, order, duplicates)
        room.cancel_flush()
        return got

    assert asyncio.run(run()) == list(range(1, n + 1))


@settings(max_examples=200, deadline=None)
@given(arrivals, st.integers(min_value=1, max_value=5))
def test_nothing_is_delivered_twice_or_out_of_order_when_the_hold_gives_up(case, flush_every):
    order, duplicates, n = case

    async def run():
        room, got = room_recording()
        await room.receive(1, "1")
        await arrive(room, order, duplicates, flush_every)
        await room.flush()
        room.cancel_flush()
        return got

    got = asyncio.run(run())
    assert got == sorted(set(got)) and got[0] == 1 and got[-1] == n
