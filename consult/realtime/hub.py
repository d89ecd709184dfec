"""Room fan-out: one Redis subscription per room per process, delivery to local sockets.

Channels' layer costs a Redis message and a consumer wake-up per socket per frame. Here a
room's frame crosses Redis once per process (PUBLISH on `<prefix>.room.<group>`); the
process's hub then hands the same pre-serialised text straight to each local socket's
`send`, with no per-socket queue, task switch or re-encoding.

    publisher (any thread, after commit)          each process with members of the room
    ------------------------------------          ---------------------------------------
    publish(group, text, seq) ── Redis PUBLISH ─► Hub reader task ─► Room.receive(seq, text)
                                                      └─ in seq order ─► socket.send(text) × members

Without Redis (the embedded default) the publisher calls the hubs of this process directly.

Revocation (consult/realtime/revocation.py) travels the same way, on one control channel that
every hub subscribes beside its rooms: `revoke(kind, value, code)` drops the matching members
from every room of the process and tells each socket to close. Published before the revoking
transaction commits, it reaches every hub ahead of any room frame committed after that change:
one connection, one order (Redis delivers a client's messages in publish order; without Redis
the loop runs its callbacks in the order they were scheduled).

Order: messages of one room commit in seq order (row lock on the case), but their publishes
race once the lock is released. A room holds a frame that skips ahead for up to
REORDER_HOLD_SECONDS waiting for the missing one, then reads what is still missing from the
database (a case room's `fill_gap`, consult/realtime/gap_fill.py) and delivers in order; a gap
that read cannot fill is left to the client, which backfills it from the database too.
"""

import asyncio
import contextlib
import logging
import threading
import types

from django.conf import settings

from consult.ops import metrics
from consult.realtime import layer_outage
from consult.realtime.protocol import DEGRADED, LIVE
from consult.realtime.rooms_local import SESSION, UNORDERED, USER, USER_IN_ROOM, Member, Room  # noqa: F401 - the hub's API

log = logging.getLogger(__name__)

SUBSCRIBE_TIMEOUT_SECONDS = 10
# One reconnect attempt per process every half second at most: cheap, and it puts every room
# back within about half a second of Redis (clients then take one handshake to resync).
RECOVERY_FIRST_DELAY, RECOVERY_MAX_DELAY = 0.1, 0.5


class Hub:
    """All rooms with members in this process, on one event loop.

    Redis going away is a degraded mode, not an outage (steps):
      1. the reader (or a join's subscribe) fails: every local member is sent `room.degraded`;
         sockets stay open, posts are still stored and acknowledged (the database is the truth);
      2. a join meanwhile still succeeds: its room is kept and subscribed on recovery;
      3. a recovery task reconnects with backoff and subscribes every room and the control
         channel anew (a restarted Redis remembers no subscription);
      4. every member is then asked to `recheck()` its access (a revocation published while Redis
         was away reached nobody) and told `room.live`, so its client fetches what it missed.
    """

    def __init__(self, loop):
        self.loop = loop
        self.rooms = {}
        self.lock = asyncio.Lock()
        self.redis = None
        self.pubsub = None
        self.reader = None
        self.recovery = None  # the task reconnecting while Redis is away
        self.confirmations = {}  # Redis channel -> Event set when the subscription is confirmed

    @property
    def degraded(self):
        return self.recovery is not None

    async def join(self, group, key, member, fill_gap=None):
        """Add a local socket to `group`; a case room passes `fill_gap` (rooms_local.Room)."""
        async with self.lock:
            room = self.rooms.get(group)
            if room is None:
                room = self.rooms[group] = Room(fill_gap=fill_gap)
                try:
                    if not self.degraded:
                        await self._subscribe([redis_channel(group).encode()])
                except asyncio.CancelledError:
                    del self.rooms[group]
                    raise
                except Exception as error:  # noqa: BLE001 - Redis away: join now, subscribe on recovery
                    self._lost(error)
            room.members[key] = member
        if self.degraded:
            await member.send(DEGRADED)

    async def leave(self, group, key):
        async with self.lock:
            room = self.rooms.get(group)
            if room is None:
                return
            room.members.pop(key, None)  # gone already if it was revoked
            if room.members:
                return
            del self.rooms[group]
            room.cancel_flush()
            await self._unsubscribe(group)

    async def receive(self, group, seq, text):
        room = self.rooms.get(group)
        if room is not None:
            await room.receive(seq, text)

    def revoke(self, kind, value, code):
        """Take every matching socket out of its rooms at once, then tell it to close.

        Synchronous on purpose: no room frame can be handed to it after this returns.
        """
        rooms = list(self.rooms.values())
        if kind == USER_IN_ROOM:  # an emergency access that ended: that case's room only
            value, group = value.split("@", 1)
            kind, rooms = USER, [self.rooms[group]] if group in self.rooms else []
        for room in rooms:
            for key, member in list(room.members.items()):
                if member.matches(kind, value):
                    del room.members[key]
                    try:
                        member.revoke(code)
                    except Exception:
                        log.exception("revoking a socket failed")

    async def _subscribe(self, channels):
        if not settings.REDIS_URL:
            return
        if self.pubsub is None:
            from redis import asyncio as aioredis

            self.redis = aioredis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=2, health_check_interval=10
            )
            self.pubsub = self.redis.pubsub()
            # The control channel comes with the first room: revocations must reach every member.
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

    async def _unsubscribe(self, group):
        if self.pubsub is None or self.degraded:
            return
        if self.rooms:
            try:
                await self.pubsub.unsubscribe(redis_channel(group))
            except Exception as error:  # noqa: BLE001
                self._lost(error)
            return
        # The last room left: close the connection rather than keep it (and its reader)
        # bound to an event loop that may be about to end, as every test's loop does.
        await self.close()

    async def close(self):
        self.rooms.clear()
        if self.recovery is not None:
            self.recovery.cancel()
            await asyncio.gather(self.recovery, return_exceptions=True)
            self.recovery = None
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

    def _lost(self, error):
        if self.degraded:
            return
        log.warning(
            "room hub lost Redis (%s); rooms degraded until it is back", type(error).__name__
        )
        metrics.hub_degraded.inc()
        self.recovery = asyncio.ensure_future(self._recover())
        for room in list(self.rooms.values()):
            asyncio.ensure_future(room.deliver(DEGRADED))

    async def _recover(self):
        delay = RECOVERY_FIRST_DELAY
        while True:
            await asyncio.sleep(delay)
            try:
                async with self.lock:
                    await self._disconnect()
                    if self.rooms:
                        await self._subscribe(
                            [redis_channel(group).encode() for group in self.rooms]
                        )
                break
            except Exception:  # noqa: BLE001 - still away: try again, a little later each time
                delay = min(delay * 2, RECOVERY_MAX_DELAY)
        self.recovery = None
        log.warning("room hub has Redis again; %d rooms live", len(self.rooms))
        layer_outage.redis_is_back()
        for room in list(self.rooms.values()):
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
                self._lost(error)
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
                    self.revoke(kind, value, int(code))
                    continue
                seq, _, text = message["data"].partition(b"|")
                await self.receive(
                    message["channel"][prefix_len:].decode(), int(seq), text.decode()
                )
            except Exception:
                log.exception("room hub could not handle a message")


def redis_channel(group):
    return f"{settings.CHANNEL_PREFIX}.room.{group}"


def control_channel():
    # Not under `.room.`: no group name can collide with it.
    return f"{settings.CHANNEL_PREFIX}.rooms-control"


_hubs = {}  # event loop -> Hub
_hubs_lock = threading.Lock()
_redis = None


def hub():
    """This event loop's hub, created on first use."""
    loop = asyncio.get_running_loop()
    with _hubs_lock:
        found = _hubs.get(loop)
        if found is None:
            for old in [old for old in _hubs if old.is_closed()]:
                del _hubs[old]
            found = _hubs[loop] = Hub(loop)
            _close_with_loop(found)
        return found


def _close_with_loop(found):
    """A loop that ends with sockets still in rooms closes its Redis connection first."""
    loop = found.loop
    original_close = loop.close

    def close(self, *args, **kwargs):
        with _hubs_lock:
            _hubs.pop(loop, None)
        if not loop.is_running():
            loop.run_until_complete(found.close())
        self.close = original_close
        return original_close(*args, **kwargs)

    loop.close = types.MethodType(close, loop)


_batching = threading.local()


@contextlib.contextmanager
def publishes_batched():
    """Hold this thread's publishes and send them to Redis together, in order, on exit."""
    if not settings.REDIS_URL or getattr(_batching, "pipeline", None) is not None:
        yield
        return
    _batching.pipeline = pipeline = _sync_redis().pipeline(transaction=False)
    _batching.frames = frames = []
    try:
        yield
    finally:
        _batching.pipeline = _batching.frames = None
        if len(pipeline):
            try:
                pipeline.execute()
            except Exception as error:  # noqa: BLE001 - the posts are stored: members backfill them by seq
                log.warning(
                    "publishing a batch of room frames failed (%s); delivering here only",
                    type(error).__name__,
                )
                for group, seq, text in frames:
                    _deliver_here(group, seq, text)


def publish(group, text, seq=UNORDERED):
    """Send a serialised frame to every member of the group, in every process. Any thread.

    With Redis away the members in this process still hear it; the others resync when their
    hub is back (Hub's docstring), and the error is raised for the caller to log.
    """
    if not settings.REDIS_URL:
        _deliver_here(group, seq, text)
        return
    message = b"%d|%s" % (seq, text.encode())
    pipeline = getattr(_batching, "pipeline", None)
    if pipeline is not None:
        pipeline.publish(redis_channel(group), message)
        _batching.frames.append((group, seq, text))
        return
    try:
        _sync_redis().publish(redis_channel(group), message)
    except Exception:
        _deliver_here(group, seq, text)
        raise


def _deliver_here(group, seq, text):
    with _hubs_lock:
        hubs = [h for h in _hubs.values() if not h.loop.is_closed() and group in h.rooms]
    for h in hubs:
        asyncio.run_coroutine_threadsafe(h.receive(group, seq, text), h.loop)


def publish_revocation(kind, value, code):
    """Close the matching sockets in every process's rooms (Hub.revoke). Any thread; at once,
    never batched: it must not wait behind frames of the batch (publishes_batched). With Redis
    away it still reaches this process; the others recheck access from the database when
    their hub is back."""
    if settings.REDIS_URL:
        try:
            _sync_redis().publish(control_channel(), f"{kind}|{value}|{code}".encode())
            return
        except Exception:
            _revoke_here(kind, value, code)
            raise
    _revoke_here(kind, value, code)


def _revoke_here(kind, value, code):
    with _hubs_lock:
        hubs = [h for h in _hubs.values() if not h.loop.is_closed()]
    for h in hubs:
        h.loop.call_soon_threadsafe(h.revoke, kind, str(value), code)


def _sync_redis():
    global _redis
    if _redis is None:
        import redis
        from redis.backoff import ExponentialBackoff
        from redis.retry import Retry

        # Publishes run in database threads right after a commit: with Redis away they must
        # fail in milliseconds (the change is stored; clients resync), not back off for seconds.
        _redis = redis.Redis.from_url(
            settings.REDIS_URL,
            max_connections=64,
            socket_connect_timeout=1,
            socket_timeout=2,
            health_check_interval=10,
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1),
        )
    return _redis
