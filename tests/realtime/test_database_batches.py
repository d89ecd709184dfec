"""Calls batched onto a database thread (consult/realtime/batches.py): each caller gets its own
answer or error, calls that pile up while a batch runs go together in the next one, a caller
that went is never run, and one that waits too long is told `unavailable`."""

import asyncio
import threading

import pytest

from consult.core.errors import NotFound, Unavailable
from consult.realtime.batches import DatabaseBatches, each_answered


def recorder(release=None):
    batches = []

    def run_batch(items):
        batches.append(list(items))
        if release is not None:
            release.wait(5)
        return each_answered(answer, items, what="a test call")

    return batches, run_batch


def answer(item):
    if item == "missing":
        raise NotFound("no such thing")
    return item.upper()


async def test_each_caller_gets_its_own_answer_and_a_busy_queue_goes_in_one_batch():
    release = threading.Event()
    batches, run_batch = recorder(release)
    queue = DatabaseBatches(run_batch)
    first = asyncio.ensure_future(queue.call("a"))
    await asyncio.sleep(0.05)  # "a" is running: the rest pile up behind it
    rest = [asyncio.ensure_future(queue.call(item)) for item in ("b", "missing", "c")]
    await asyncio.sleep(0.05)
    release.set()
    assert await first == "A"
    results = await asyncio.gather(*rest, return_exceptions=True)
    assert results[0] == "B" and results[2] == "C"
    assert isinstance(results[1], NotFound)
    assert batches == [["a"], ["b", "missing", "c"]]


async def test_a_caller_that_went_is_not_run():
    release = threading.Event()
    batches, run_batch = recorder(release)
    queue = DatabaseBatches(run_batch)
    first = asyncio.ensure_future(queue.call("a"))
    await asyncio.sleep(0.05)
    gone = asyncio.ensure_future(queue.call("gone"))
    kept = asyncio.ensure_future(queue.call("kept"))
    await asyncio.sleep(0.01)
    gone.cancel()
    release.set()
    assert (await first, await kept) == ("A", "KEPT")
    assert batches == [["a"], ["kept"]]


async def test_a_call_that_waits_too_long_is_unavailable(settings):
    settings.DB_CALL_TIMEOUT_SECONDS = 0.2
    release = threading.Event()
    _, run_batch = recorder(release)
    queue = DatabaseBatches(run_batch, queue_seconds=0.1)
    try:
        with pytest.raises(Unavailable):
            await queue.call("slow")
    finally:
        release.set()


async def test_a_batch_that_cannot_run_fails_every_caller_in_it():
    def broken(items):
        raise Unavailable()

    queue = DatabaseBatches(broken)
    results = await asyncio.gather(queue.call("a"), queue.call("b"), return_exceptions=True)
    assert [type(result) for result in results] == [Unavailable, Unavailable]
