"""A room hub's pub/sub link to one Redis shard: its connection, reader and recovery.

A hub (consult/realtime/hub.py) has one link per shard (consult/realtime/shards.py). A link carries
the channels of its shard's rooms and the control channel (revocations). Every link subscribes the
control channel as soon as the hub has a room, and revocations are published to every shard, so
they reach the hub while any one shard is up.

Its shard going away is a degraded mode for that shard's rooms only (steps):
  1. the reader (or a join's subscribe) fails: every local member of the shard's rooms is sent
     `room.degraded`; sockets stay open, posts are still stored and acknowledged (the database
     is the truth); rooms on the other shards see nothing of it;
  2. a join meanwhile still succeeds: its room is kept and subscribed on recovery;
  3. a recovery task reconnects with backoff and subscribes the shard's rooms and the control
     channel anew (a restarted Redis remembers no subscription);
  4. every member of those rooms is then asked to `recheck()` its access (a revocation published
     while no shard reached this hub was lost) and told `room.live`, so its client fetches what
     it missed.
"""

import asyncio
import contextlib
import logging

from consult.ops import metrics
from consult.realtime import layer_outage
from consult.realtime.protocol import DEGRADED, LIVE
from consult.realtime.shards import control_channel, redis_channel

log = logging.getLogger(__name__)

SUBSCRIBE_TIMEOUT_SECONDS = 10
# One reconnect attempt per link every half second at most: cheap, and it puts every room back
# within about half a second of its Redis (clients then take one handshake to resync).
RECOVERY_FIRST_DELAY, RECOVERY_MAX_DELAY = 0.1, 0.5


class ShardLink:
    """The pub/sub connection of `hub` to shard `index` at `url` (None: the embedded mode)."""

    def __init__(self, hub, index, url):
        self.hub, self.index, self.url = hub, index, url
        self.lock = asyncio.Lock()  # joins, leaves and recovery of this shard's rooms
        self.redis = self.pubsub = self.reader = None
        self.recovery = None  # the task reconnecting while the shard is away
        self.connecting = None  # the task subscribing the control channel alone (connect_soon)
        self.confirmations = {}  # Redis channel -> Event set when the subscription is confirmed

    @property
    def degraded(self):
        return self.recovery is not None

    def rooms(self):
        return [room for room in self.hub.rooms.values() if room.shard == self.index]

    async def subscribe_room(self, group):
        """A new room's channel (under self.lock); with the shard away the room joins degraded."""
        if self.degraded:
            return
        try:
            await self._subscribe([redis_channel(group).encode()])
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - away: join now, subscribe on recovery
            self.lost(error)

    def connect_soon(self):
        """Subscribe the control channel, in the background, if nothing has yet."""
        if self.url and self.pubsub is None and not self.degraded and self.connecting is None:
            self.connecting = asyncio.ensure_future(self._connect())

    async def _connect(self):
        try:
            async with self.lock:
                if self.pubsub is None and not self.degraded and self.hub.rooms:
                    await self._subscribe([])
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - away: recovery connects it
            self.lost(error)
        finally:
            self.connecting = None

    async def unsubscribe(self, group):
        if self.pubsub is None or self.degraded:
            return
        try:
            await self.pubsub.unsubscribe(redis_channel(group))
        except Exception as error:  # noqa: BLE001
            self.lost(error)

    async def _subscribe(self, channels):
        if self.url is None:
            return
        if self.pubsub is None:
            from redis import asyncio as aioredis

            self.redis = aioredis.Redis.from_url(
                self.url, socket_connect_timeout=2, health_check_interval=10
            )
            self.pubsub = self.redis.pubsub()
            # The control channel comes with the first channel: revocations must reach every
            # member, and ahead of any room frame of this shard published after them.
            channels = [*channels, control_channel().encode()]
        # The socket reads its history only after this returns: Redis must have the
        # subscription by then, or a message committed just after that read could be
        # published to nobody. So wait for Redis to confirm it.
        confirmed = [
            self.confirmations.setdefault(channel, asyncio.Event()) for channel in channels
        ]
        await self.pubsub.subscribe(*channels)
        if self.reader is None:
            self.reader = asyncio.ensure_future(self._read())
        try:
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT_SECONDS):
                for event in confirmed:
                    await event.wait()
        finally:
            for channel in channels:
                self.confirmations.pop(channel, None)

    async def close(self):
        for task in (self.recovery, self.connecting):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self.recovery = self.connecting = None
        await self._disconnect()

    async def _disconnect(self):
        reader, pubsub, redis = self.reader, self.pubsub, self.redis
        self.redis = self.pubsub = self.reader = None
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        for connection in (pubsub, redis):
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.aclose()

    def lost(self, error):
        if self.degraded:
            return
        log.warning(
            "room hub lost Redis shard %d (%s); its rooms degraded until it is back",
            self.index,
            type(error).__name__,
        )
        metrics.hub_degraded.inc()
        self.recovery = asyncio.ensure_future(self._recover())
        for room in self.rooms():
            asyncio.ensure_future(room.deliver(DEGRADED))

    async def _recover(self):
        delay = RECOVERY_FIRST_DELAY
        while True:
            await asyncio.sleep(delay)
            try:
                async with self.lock:
                    await self._disconnect()
                    if self.hub.rooms:
                        groups = [
                            group
                            for group, room in self.hub.rooms.items()
                            if room.shard == self.index
                        ]
                        await self._subscribe([redis_channel(group).encode() for group in groups])
                    # Still under the lock: a join from now on subscribes its room itself.
                    self.recovery = None
                break
            except Exception:  # noqa: BLE001 - still away: try again, a little later each time
                delay = min(delay * 2, RECOVERY_MAX_DELAY)
        rooms = self.rooms()
        log.warning("room hub has Redis shard %d again; %d rooms live", self.index, len(rooms))
        layer_outage.redis_is_back()
        for room in rooms:
            for member in list(room.members.values()):
                member.recheck()
            await room.deliver(LIVE)

    async def _read(self):
        prefix_len = len(redis_channel(""))
        control = control_channel().encode()
        while True:
            try:
                message = await self.pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - Redis went away: degrade and let recovery reconnect
                self.lost(error)
                return
            try:
                if message is None:
                    continue
                if message["type"] != "message":
                    if message["type"] == "subscribe" and message["channel"] in self.confirmations:
                        self.confirmations[message["channel"]].set()
                    continue
                if message["channel"] == control:
                    kind, value, code = message["data"].decode().split("|")
                    self.hub.revoke(kind, value, int(code))
                    continue
                seq, _, text = message["data"].partition(b"|")
                await self.hub.receive(
                    message["channel"][prefix_len:].decode(), int(seq), text.decode()
                )
            except Exception:
                log.exception("room hub could not handle a message")
