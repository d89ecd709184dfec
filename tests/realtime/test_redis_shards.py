"""Rooms spread over two Redis shards (REDIS_URLS), served by two real Daphne processes: a room's
messages reach its members on both processes, the channel layer over both hosts reaches a
personal socket on each process, and stopping one Redis degrades only the rooms on
it (their members are told `degraded`, posts are still acknowledged, then `live` when it is
back) while the rooms on the other shard stay live. A revocation sent while one shard is away
still closes the socket at once: it travels on every shard.

Personas: alice (North therapist) and bob (North supervisor) are members of both North cases;
alice's sockets are on the second process, bob's and carol's (North peer) on the first."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from websockets.exceptions import ConnectionClosed

from consult.cases.services import case_create
from consult.realtime.broadcast import FORWARD, send_now, user_group
from consult.realtime.protocol import WS_CLOSE_ACCESS_LOST
from consult.realtime.revocation import close_user_sockets
from consult.realtime.shards import shard_of
from tests.live import DaphneServer
from tests.realtime.own_redis import OwnRedis
from tests.support.live_sockets import close_all, open_live, open_room

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def shards(settings):
    """Two Redis servers of this test's own; this process publishes over both, as servers do."""
    servers = [OwnRedis(), OwnRedis()]
    urls = tuple(server.url for server in servers)
    settings.REDIS_URLS, settings.REDIS_URL = urls, urls[0]
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": list(urls), "prefix": settings.CHANNEL_PREFIX, "expiry": 30},
        }
    }
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def sharded_servers(shards, tmp_path):
    env = {"REDIS_URLS": ",".join(server.url for server in shards)}
    servers = [DaphneServer(tmp_path / f"daphne-{i}.log", env=env) for i in range(2)]
    yield servers
    for server in servers:
        server.stop()


def one_case_per_shard(alice, north):
    """The North case of each shard, created until both shards have one."""
    found = {}
    for n in range(20):
        case = case_create(
            actor=alice, team_id=north.pk, title=f"Case {n}", summary="-", risk_level="low"
        )
        found.setdefault(shard_of(f"case.{case.pk}", 2), case)
        if len(found) == 2:
            return found[0], found[1]
    raise AssertionError("twenty cases on one shard")


async def open_personal(server, user):
    return Socket(await open_live(server.url, "/ws/me/", until="dashboard.snapshot", user=user))


class Socket:
    """A room socket that remembers every frame type it was sent."""

    def __init__(self, ws):
        self.ws, self.seen = ws, []

    async def next_of(self, frame_type, seconds=10):
        async with asyncio.timeout(seconds):
            while True:
                frame = json.loads(await self.ws.recv())
                self.seen.append(frame["type"])
                if frame["type"] == frame_type:
                    return frame

    async def next_message(self, client_id):
        """The `message.new` of that post (earlier ones a gap fill brings are passed over)."""
        while True:
            frame = await self.next_of("message.new")
            if frame["message"]["client_id"] == client_id:
                return frame

    async def post(self, client_id):
        await self.ws.send(
            json.dumps({"type": "message.send", "client_id": client_id, "body": "Update."})
        )
        return await self.next_of("message.ack")


async def test_one_shard_away_degrades_only_its_rooms(
    shards, sharded_servers, alice, bob, carol, north
):
    first, second = sharded_servers
    on_0, on_1 = await database_sync_to_async(one_case_per_shard)(alice, north)
    rooms = {}
    for case in (on_0, on_1):
        rooms[case.pk] = [
            Socket(await open_room(first.url, bob, case.code)),
            Socket(await open_room(second.url, alice, case.code)),
        ]
    carol_ws = Socket(await open_room(first.url, carol, on_0.code))
    (bob_0, alice_0), (bob_1, alice_1) = rooms[on_0.pk], rooms[on_1.pk]

    # Both shards up: each room's messages cross between the processes.
    for bob_ws, alice_ws in rooms.values():
        await alice_ws.post(f"before-{id(alice_ws)}")
        assert (await bob_ws.next_of("message.new"))["message"]["seq"] == 1
    # ...and the channel layer, over both hosts, reaches a personal socket on each process.
    personal = [await open_personal(first, bob), await open_personal(second, alice)]
    for user, ws in zip((bob, alice), personal, strict=True):
        text = json.dumps({"type": "layer.probe"})
        await database_sync_to_async(send_now)(user_group(user.pk), {"type": FORWARD, "text": text})
        await ws.next_of("layer.probe")

    await asyncio.to_thread(shards[0].stop)
    for ws in (bob_0, alice_0, carol_ws):
        await ws.next_of("degraded")
    assert (await alice_0.post("while-away"))["seq"] == 2  # stored and acknowledged
    # The other shard's room stays live, both ways, on both processes.
    await alice_1.post("live-1")
    await bob_1.next_message("live-1")
    await bob_1.post("live-2")
    await alice_1.next_message("live-2")
    # A revocation reaches the first process through the shard that is up.
    await database_sync_to_async(close_user_sockets)(carol.pk, code=WS_CLOSE_ACCESS_LOST)
    with pytest.raises(ConnectionClosed) as closed:
        await carol_ws.next_of("never")
    assert closed.value.rcvd.code == WS_CLOSE_ACCESS_LOST

    await asyncio.to_thread(shards[0].start)
    for ws in (bob_0, alice_0):
        await ws.next_of("live")
    await alice_0.post("back")
    await bob_0.next_message("back")
    assert "degraded" not in bob_1.seen + alice_1.seen
    assert "live" not in bob_1.seen + alice_1.seen
    await close_all([ws.ws for ws in (bob_0, alice_0, bob_1, alice_1, *personal)])
