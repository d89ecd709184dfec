"""Two real Daphne processes sharing Redis and PostgreSQL, as in production."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async

from consult.cases.models import Message
from tests.support.live_sockets import close_all, next_of, open_room

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]


async def test_it_delivers_a_message_posted_through_one_process_to_a_client_on_the_other(
    live_servers, alice, bob, north_case
):
    first, second = live_servers
    bob_ws = await open_room(first.url, bob, north_case.code)
    alice_ws = await open_room(second.url, alice, north_case.code)
    for i in range(1, 6):
        await alice_ws.send(
            json.dumps({"type": "message.send", "client_id": f"x{i}", "body": f"update {i}"})
        )
    received = [(await next_of(bob_ws, "message.new"))["message"]["seq"] for _ in range(5)]
    assert received == [1, 2, 3, 4, 5]
    await close_all([alice_ws, bob_ws])


async def test_it_gives_fifty_concurrent_senders_gapless_sequence_numbers(
    live_servers, alice, north_case
):
    sockets = [await open_room(live_servers[i % 2].url, alice, north_case.code) for i in range(50)]
    await asyncio.gather(
        *(
            ws.send(
                json.dumps({"type": "message.send", "client_id": f"s{i}", "body": f"sender {i}"})
            )
            for i, ws in enumerate(sockets)
        )
    )
    acks = await asyncio.gather(*(next_of(ws, "message.ack") for ws in sockets))

    assert sorted(ack["seq"] for ack in acks) == list(range(1, 51))
    seqs = await database_sync_to_async(
        lambda: list(
            Message.objects.filter(case=north_case).order_by("seq").values_list("seq", flat=True)
        )
    )()
    assert seqs == list(range(1, 51))
    await close_all(sockets)
