"""Posts queued by a process's sockets go to the database in batches: each post still stored,
audited, answered and broadcast on its own, in order, whatever happens to its neighbours."""

import asyncio
import logging
from unittest import mock

import orjson
import pytest
from channels.db import database_sync_to_async

from consult.cases.models import Message
from consult.consumers import post_batches
from consult.core.errors import ValidationFailed
from consult.realtime import hub
from consult.realtime.broadcast import case_group

pytestmark = pytest.mark.django_db(transaction=True)


def request(user, case, n, body=None):
    return {
        "actor": user,
        "case_code": case.code,
        "client_id": f"c{n}",
        "body": body or f"Line {n}",
        "corrects_seq": None,
        "confirmations": (),
    }


@pytest.fixture
async def room_frames(north_case):
    """The message.new frames this process's hub delivers for the case, as (seq, client_id)."""
    got = []

    async def send(text):
        frame = orjson.loads(text)
        if frame["type"] == "message.new":
            got.append((frame["message"]["seq"], frame["message"]["client_id"]))

    await hub.hub().join(case_group(north_case.pk), "listener", hub.Member(send=send))
    yield got
    await hub.hub().leave(case_group(north_case.pk), "listener")


@database_sync_to_async
def stored(case, field="seq"):
    return list(Message.objects.filter(case=case).order_by("seq").values_list(field, flat=True))


async def settle(got, count):
    for _ in range(100):
        if len(got) >= count:
            return
        await asyncio.sleep(0.05)


async def test_it_posts_everything_queued_together_in_fewer_database_calls_and_in_order(
    alice, north_case, room_frames
):
    batches = post_batches.PostBatches()
    with mock.patch.object(post_batches, "post_each", wraps=post_batches.post_each) as post_each:
        results = await asyncio.gather(
            *[batches.post(**request(alice, north_case, n)) for n in range(20)]
        )

    assert [(r.message.seq, r.message.client_id, r.duplicate) for r in results] == [
        (n + 1, f"c{n}", False) for n in range(20)
    ]
    assert post_each.call_count < 20
    assert await stored(north_case) == list(range(1, 21))
    await settle(room_frames, 20)
    assert room_frames == [(n + 1, f"c{n}") for n in range(20)]


async def test_one_refused_post_fails_alone(alice, north_case, room_frames):
    batches = post_batches.PostBatches()
    results = await asyncio.gather(
        batches.post(**request(alice, north_case, 1)),
        batches.post(**request(alice, north_case, 2, body="   ")),
        batches.post(**request(alice, north_case, 3)),
        return_exceptions=True,
    )
    assert isinstance(results[1], ValidationFailed) and results[1].field == "body"
    assert [r.message.client_id for r in (results[0], results[2])] == ["c1", "c3"]
    assert await stored(north_case, "client_id") == ["c1", "c3"]


@pytest.mark.redis  # the failure is Redis's: without it the hub publishes in process
async def test_a_stored_post_is_still_answered_when_publishing_fails(alice, north_case, caplog):
    batches = post_batches.PostBatches()
    with (
        mock.patch("redis.client.Pipeline.execute", side_effect=ConnectionError("redis went away")),
        caplog.at_level(logging.WARNING, logger="consult.realtime.hub"),
    ):
        result = await batches.post(**request(alice, north_case, 1))
    assert (result.message.seq, result.duplicate) == (1, False)
    assert await stored(north_case, "client_id") == ["c1"]
    assert "publishing a batch of room frames failed" in caplog.text


async def test_a_post_whose_socket_closed_meanwhile_is_still_stored(alice, north_case):
    batches = post_batches.PostBatches()
    waiting = asyncio.ensure_future(batches.post(**request(alice, north_case, 1)))
    await asyncio.sleep(0)
    waiting.cancel()
    follow_up = await batches.post(**request(alice, north_case, 2))
    assert follow_up.message.client_id == "c2"
    assert await stored(north_case, "client_id") == ["c1", "c2"]


@pytest.fixture
def second_case(alice, north):
    from consult.cases.services import case_create

    return case_create(actor=alice, team_id=north.pk, title="Second case", risk_level="low")


@database_sync_to_async
def trail_intact(case):
    from consult.audit.trail import verify_trail

    [report] = verify_trail(f"case:{case.code}")
    return report.intact, report.events


async def test_posts_to_several_rooms_in_one_batch_keep_each_rooms_order(
    alice, north_case, second_case
):
    cases = [north_case, second_case]
    requests = [request(alice, cases[n % 2], n) for n in range(12)]
    results = await database_sync_to_async(post_batches.post_each)(requests)

    assert [(r.message.case_id, r.message.client_id) for r in results] == [
        (cases[n % 2].pk, f"c{n}") for n in range(12)
    ]
    assert await stored(north_case, "client_id") == [f"c{n}" for n in range(0, 12, 2)]
    assert await stored(second_case, "client_id") == [f"c{n}" for n in range(1, 12, 2)]
    assert await trail_intact(north_case) == (True, 7)  # case.created and six posts
    assert await trail_intact(second_case) == (True, 7)


@pytest.mark.postgres
async def test_a_batch_whose_transaction_fails_stores_its_other_posts_one_by_one(
    alice, north_case, room_frames
):
    """The plain posts of a batch go to PostgreSQL in one transaction: when one of its
    statements fails there, none stands, and every other post is stored by the general path,
    each exactly once, with its event and its frame."""
    from consult.cases import services

    broken = {**request(alice, north_case, 2), "session_id": "not-a-session-id"}
    requests = [request(alice, north_case, 1), broken, request(alice, north_case, 3)]
    with mock.patch.object(services, "_draft_stored", wraps=services._draft_stored) as one_by_one:
        results = await database_sync_to_async(post_batches.post_each)(requests)

    assert one_by_one.call_count == 3  # the pipelined transaction stood for none of them

    assert isinstance(results[1], Exception)
    assert [(r.message.client_id, r.duplicate) for r in (results[0], results[2])] == [
        ("c1", False),
        ("c3", False),
    ]
    assert await stored(north_case, "client_id") == ["c1", "c3"]
    assert await trail_intact(north_case) == (True, 3)
    await settle(room_frames, 2)
    assert sorted(client_id for _, client_id in room_frames) == ["c1", "c3"]


async def test_a_post_the_database_cannot_take_fails_alone(alice, north_case, room_frames):
    """A body PostgreSQL cannot store (a NUL character) is refused with a typed error before
    anything is sent: the batch's other posts stand."""
    requests = [
        request(alice, north_case, 1),
        request(alice, north_case, 2, body="Plan\x00 reviewed"),
        request(alice, north_case, 3),
    ]
    results = await database_sync_to_async(post_batches.post_each)(requests)

    assert isinstance(results[1], ValidationFailed) and results[1].field == "body"
    assert [r.message.client_id for r in (results[0], results[2])] == ["c1", "c3"]
    assert await stored(north_case, "client_id") == ["c1", "c3"]
    assert await trail_intact(north_case) == (True, 3)


async def test_a_resent_post_in_a_batch_is_answered_as_a_duplicate(alice, north_case):
    first = await database_sync_to_async(post_batches.post_each)([request(alice, north_case, 1)])
    again = await database_sync_to_async(post_batches.post_each)(
        [request(alice, north_case, 1), request(alice, north_case, 2)]
    )
    assert (again[0].message.seq, again[0].duplicate) == (first[0].message.seq, True)
    assert (again[1].message.seq, again[1].duplicate) == (2, False)
    assert await stored(north_case, "client_id") == ["c1", "c2"]


@pytest.mark.postgres
async def test_a_batch_that_cannot_open_its_pipeline_posts_each_on_its_own(
    alice, north_case, room_frames, monkeypatch
):
    import psycopg
    from django.db import connection

    def no_pipeline(*args, **kwargs):
        raise psycopg.OperationalError("the connection is gone")

    def post_without_pipelines(requests):
        connection.ensure_connection()
        monkeypatch.setattr(type(connection.connection), "pipeline", no_pipeline)
        return post_batches.post_each(requests)

    requests = [request(alice, north_case, n) for n in (1, 2)]
    results = await database_sync_to_async(post_without_pipelines)(requests)

    assert [(r.message.client_id, r.duplicate) for r in results] == [("c1", False), ("c2", False)]
    assert await stored(north_case, "client_id") == ["c1", "c2"]
    await settle(room_frames, 2)
    assert sorted(client_id for _, client_id in room_frames) == ["c1", "c2"]


@pytest.mark.postgres
async def test_a_batchs_plain_posts_are_stored_by_its_pipelined_transaction(alice, north_case):
    """The fast path stays the path: a batch of plain posts takes no post-by-post transaction
    (a silent fall back would still store everything, one wait per post)."""
    from consult.cases import services

    requests = [request(alice, north_case, n) for n in range(5)]
    with mock.patch.object(services, "_draft_stored", wraps=services._draft_stored) as one_by_one:
        results = await database_sync_to_async(post_batches.post_each)(requests)

    assert one_by_one.call_count == 0
    assert [r.message.seq for r in results] == [1, 2, 3, 4, 5]
    assert await trail_intact(north_case) == (True, 6)
