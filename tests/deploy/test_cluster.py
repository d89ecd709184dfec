"""The production shape on one machine: nginx in front of two Daphne processes and the
scheduler, sharing the real Redis and the PostgreSQL test database (deploy/run_cluster.py).

alice and bob are North members (tests/conftest.py). bob's socket goes through nginx to
Daphne 0 and alice's through nginx to Daphne 1 (the pinned ports), so every frame bob gets
crossed processes through Redis.
"""

import asyncio
import json
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

from deploy.run_cluster import Cluster, free_port_block
from tests.support.live_sockets import close_all, next_of, open_room

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.nginx,
]


@pytest.fixture
def cluster(tmp_path):
    db = connection.settings_dict
    cluster = Cluster(
        port=free_port_block(),
        workdir=tmp_path / "cluster",
        env={
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "CHANNEL_PREFIX": settings.CHANNEL_PREFIX,
            # The test database is truncated after the test: hold no connection.
            "CONN_MAX_AGE": "0",
        },
    )
    cluster.prepare(migrate=False)
    cluster.start()
    yield cluster
    cluster.stop()


async def test_it_delivers_in_order_through_nginx_across_two_daphne_processes(
    cluster, alice, bob, north_case
):
    assert {"daphne-0", "daphne-1", "scheduler", "nginx"} <= set(cluster.processes)
    bob_ws = await open_room(cluster.pinned_url(0), bob, north_case.code)
    alice_ws = await open_room(cluster.pinned_url(1), alice, north_case.code)
    for i in range(1, 11):
        await alice_ws.send(
            json.dumps({"type": "message.send", "client_id": f"n{i}", "body": f"update {i}"})
        )

    received = [(await next_of(bob_ws, "message.new"))["message"] for _ in range(10)]
    assert [(m["seq"], m["client_id"]) for m in received] == [(i, f"n{i}") for i in range(1, 11)]
    assert all(process.poll() is None for process in cluster.processes.values())
    await close_all([alice_ws, bob_ws])


async def test_it_serves_static_files_and_balanced_sockets_from_nginx(cluster, alice, north_case):
    response = await asyncio.to_thread(urllib.request.urlopen, cluster.url + "/static/css/app.css")
    assert response.status == 200 and "daphne" not in (response.headers.get("Server") or "").lower()
    ws = await open_room(cluster.url, alice, north_case.code)
    await ws.send(
        json.dumps({"type": "message.send", "client_id": "b1", "body": "through the balancer"})
    )
    assert (await next_of(ws, "message.ack"))["seq"] == 1
    await close_all([ws])


async def test_it_starts_a_daphne_that_died_again(cluster, alice, north_case):
    cluster.processes["daphne-0"].kill()
    await asyncio.to_thread(cluster.processes["daphne-0"].wait)
    assert cluster.restart_exited() == ["daphne-0"]
    await asyncio.to_thread(cluster.wait_ready, [cluster.daphne_ports[0]])
    ws = await open_room(cluster.pinned_url(0), alice, north_case.code)
    await close_all([ws])
