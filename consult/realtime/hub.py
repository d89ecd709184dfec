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
REORDER_HOLD_SECONDS waiting for the missing one, then delivers anyway: the client backfills
any real gap from the database, which stays the truth. Delivery is at most once.
"""
import asyncio
import contextlib
import logging
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from consult.ops import metrics
from consult.realtime import wire

log = logging.getLogger(__name__)

REORDER_HOLD_SECONDS = 0.1
SUBSCRIBE_TIMEOUT_SECONDS = 10
UNORDERED = 0  # seq for frames outside the room's message sequence (presence, reads...)


class Room:
    """The local members of one group and the last message seq handed to them.

    Delivery of message frames, for each arriving (seq, text):
      1. a seq at or below the last one delivered is a duplicate or arrived after the hold gave
         up on it: dropped (the client already saw that gap and fetched it from the database);
      2. the next seq (or the first frame this room hears) is delivered, then every held frame
         that now follows in order;
      3. a seq that skips ahead is held until the missing one arrives or REORDER_HOLD_SECONDS
         pass, when everything held is delivered in order and the gap is left to the client.
    Receiving and flushing share a lock: a send may yield, and the two must not interleave.
    """

    def __init__(self):
        self.members = {}  # key -> Member
        self.last_seq = None
        self.held = {}  # seq -> text, waiting for an earlier seq
        self.flush_handle = None
        self.ordering = asyncio.Lock()

    async def receive(self, seq, text):
        if seq == UNORDERED:
            await self.deliver(text)
            return
        async with self.ordering:
            if self.last_seq is not None and seq <= self.last_seq:
                return
            if self.last_seq is None or seq == self.last_seq + 1:
                await self._deliver_next(seq, text)
            else:
                self.held.setdefault(seq, text)
                metrics.hub_gaps_held.inc()
                if self.flush_handle is None:
                    loop = asyncio.get_running_loop()
                    self.flush_handle = loop.call_later(REORDER_HOLD_SECONDS, self._flush_soon)

    async def _deliver_next(self, seq, text):
        await self.deliver(text)
        self.last_seq = seq
        while self.last_seq + 1 in self.held:
            self.last_seq += 1
            await self.deliver(self.held.pop(self.last_seq))
        if not self.held:
            self.cancel_flush()

    def cancel_flush(self):
        if self.flush_handle is not None:
            self.flush_handle.cancel()
            self.flush_handle = None

    def _flush_soon(self):
        self.flush_handle = None
        asyncio.ensure_future(self.flush())

    async def flush(self):
        """The missing frame never came (its publisher died or it was dropped): move on."""
        async with self.ordering:
            if self.held:
                metrics.hub_gaps_flushed.inc()
            while self.held:
                seq = min(self.held)
                await self._deliver_next(seq, self.held.pop(seq))

    async def deliver(self, text):
        frame = None
        metrics.room_deliveries.inc(len(self.members))
        for key, member in list(self.members.items()):
            try:
                if member.write is not None and member.live():
                    frame = frame or wire.text_frame(text)
                    if member.write(frame):
                        continue
                await member.send(text)
            except Exception as error:  # noqa: BLE001 - one closing socket must not starve the room
                log.info("room delivery failed (%s); dropping member", type(error).__name__)
                self.members.pop(key, None)


@dataclass(frozen=True)
class Member:
    """A local socket: `send(text)` always works; `write(frame)`, when there is one, is the
    direct path (consult/realtime/wire.py), used while `live()` says nothing is held back.

    `user_id` and `session` (its session group, consult/realtime/broadcast.py) say whose socket
    it is, for revocation; `revoke(code)` is called, synchronously, when its access is taken away.
    """

    send: Callable
    write: Callable | None = None
    live: Callable = lambda: True
    user_id: int | None = None
    session: str | None = None
    revoke: Callable = lambda code: None

    def matches(self, kind, value):
        return (kind == USER and str(self.user_id) == value) or (kind == SESSION and self.session == value)


USER, SESSION = "user", "session"  # what a revocation names: a user id or a session group


class Hub:
    """All rooms with members in this process, on one event loop."""

    def __init__(self, loop):
        self.loop = loop
        self.rooms = {}
        self.lock = asyncio.Lock()
        self.redis = None
        self.pubsub = None
        self.reader = None
        self.confirmations = {}  # Redis channel -> Event set when the subscription is confirmed

    async def join(self, group, key, member):
        async with self.lock:
            room = self.rooms.get(group)
            if room is None:
                room = self.rooms[group] = Room()
                try:
                    await self._subscribe(group)
                except BaseException:
                    del self.rooms[group]
                    raise
            room.members[key] = member

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
        for room in list(self.rooms.values()):
            for key, member in list(room.members.items()):
                if member.matches(kind, value):
                    del room.members[key]
                    try:
                        member.revoke(code)
                    except Exception:  # noqa: BLE001 - one socket's failure must not spare the others
                        log.exception("revoking a socket failed")

    async def _subscribe(self, group):
        if not settings.REDIS_URL:
            return
        if self.pubsub is None:
            from redis import asyncio as aioredis

            self.redis = aioredis.Redis.from_url(settings.REDIS_URL)
            self.pubsub = self.redis.pubsub()
        # The socket reads its history only after this returns: Redis must have the
        # subscription by then, or a message committed just after that read could be
        # published to nobody. So wait for Redis to confirm it.
        # The control channel comes with the first room: revocations must reach every member.
        channels = [redis_channel(group).encode()]
        if self.reader is None:
            channels.append(control_channel().encode())
        confirmed = [self.confirmations.setdefault(channel, asyncio.Event()) for channel in channels]
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
        if self.pubsub is None:
            return
        if self.rooms:
            await self.pubsub.unsubscribe(redis_channel(group))
            return
        # The last room left: close the connection rather than keep it (and its reader)
        # bound to an event loop that may be about to end, as every test's loop does.
        await self.close()

    async def close(self):
        self.rooms.clear()
        if self.pubsub is None:
            return
        self.reader.cancel()
        await asyncio.gather(self.reader, return_exceptions=True)
        await self.pubsub.aclose()
        await self.redis.aclose()
        self.redis = self.pubsub = self.reader = None

    async def _read(self):
        prefix_len = len(redis_channel(""))
        control = control_channel().encode()
        while True:
            try:
                message = await self.pubsub.get_message(timeout=1.0)
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
                await self.receive(message["channel"][prefix_len:].decode(), int(seq), text.decode())
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the reader must outlive a Redis hiccup
                log.exception("room hub reader failed; retrying")
                await asyncio.sleep(1)


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
    try:
        yield
    finally:
        _batching.pipeline = None
        if len(pipeline):
            try:
                pipeline.execute()
            except Exception:  # noqa: BLE001 - the posts are stored: members backfill them by seq
                log.exception("publishing a batch of room frames failed")


def publish(group, text, seq=UNORDERED):
    """Send a serialised frame to every member of the group, in every process. Any thread."""
    if settings.REDIS_URL:
        pipeline = getattr(_batching, "pipeline", None)
        (pipeline or _sync_redis()).publish(redis_channel(group), b"%d|%s" % (seq, text.encode()))
        return
    with _hubs_lock:
        hubs = [h for h in _hubs.values() if not h.loop.is_closed() and group in h.rooms]
    for h in hubs:
        asyncio.run_coroutine_threadsafe(h.receive(group, seq, text), h.loop)


def publish_revocation(kind, value, code):
    """Close the matching sockets in every process's rooms (Hub.revoke). Any thread; at once,
    never batched: it must not wait behind frames of the batch (publishes_batched)."""
    if settings.REDIS_URL:
        _sync_redis().publish(control_channel(), f"{kind}|{value}|{code}".encode())
        return
    with _hubs_lock:
        hubs = [h for h in _hubs.values() if not h.loop.is_closed()]
    for h in hubs:
        h.loop.call_soon_threadsafe(h.revoke, kind, str(value), code)


def _sync_redis():
    global _redis
    if _redis is None:
        import redis

        _redis = redis.Redis.from_url(settings.REDIS_URL, max_connections=64)
    return _redis
