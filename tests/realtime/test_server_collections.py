"""A real server process runs a full garbage collection after connections close, not while they
join (consult/server/tuning.py): the HTTP request a socket upgrades from is not a closed
connection, though Daphne reports its hand-over as one."""

import asyncio
from pathlib import Path

import pytest

from tests.live import DaphneServer
from tests.support.live_sockets import close_all, open_room

pytestmark = pytest.mark.django_db(transaction=True)

SOCKETS = 4


@pytest.fixture
def collecting_server(tmp_path):
    server = DaphneServer(
        tmp_path / "daphne.log",
        env={"GC_FULL_COLLECT_SECONDS": "0.1", "GC_FULL_COLLECT_AFTER_CLOSES": "2"},
    )
    yield server
    server.stop()


def full_passes(server):
    server.log.flush()
    return [
        line
        for line in Path(server.log.name).read_text().splitlines()
        if "full collection:" in line
    ]


async def test_joins_are_not_closes_and_closes_bring_one_full_pass(
    collecting_server, alice, north_case
):
    sockets = [
        await open_room(collecting_server.url, alice, north_case.code) for _ in range(SOCKETS)
    ]
    await asyncio.sleep(0.6)  # six looks at the counts
    assert full_passes(collecting_server) == []  # four joins, nothing closed

    await close_all(sockets)
    for _ in range(50):
        if full_passes(collecting_server):
            break
        await asyncio.sleep(0.1)
    [line] = full_passes(collecting_server)
    assert f"{SOCKETS} connections closed" in line
    assert "0 open" in line
