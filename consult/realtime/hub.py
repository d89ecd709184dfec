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

Shards (REDIS_URLS, consult/realtime/shards.py): each room lives on one Redis, by a hash of its
group name (computed once per room by the hub, once per publish by the publisher). A hub has one
pub/sub link per shard (consult/realtime/shard_link.py), each degrading and recovering by
itself: a shard going away degrades its rooms only.

Revocation (consult/realtime/revocation.py) travels the same way, on one control channel that
every link subscribes beside its rooms, published to every shard: `revoke(kind, value, code)`
drops the matching members from every room of the process and tells each socket to close.
Published before the revoking transaction commits, it reaches every hub ahead of any room frame
committed after that change: one connection per shard, one order (Redis delivers a client's
messages in publish order; without Redis the loop runs its callbacks in the order they were
scheduled).

Order: messages of one room commit in seq order (row lock on the case), but their publishes
race once the lock is released. A room holds a frame that skips ahead for up to
REORDER_HOLD_SECONDS waiting for the missing one, then reads what is still missing from the
database (a case room's `fill_gap`, consult/consumers/gap_fill.py) and delivers in order; a gap
that read cannot fill is left to the client, which backfills it from the database too.
"""

import asyncio
import contextlib
import logging
import threading
import types

from consult.realtime.protocol import DEGRADED
from consult.realtime.rooms_local import (  # noqa: F401 - the hub's API
    LATEST,
    LATEST_EVERY_SECONDS,
    SESSION,
    UNORDERED,
    USER,
    USER_IN_ROOM,
    Member,
    Room,
)
from consult.realtime.shard_link import ShardLink
from consult.realtime.shards import control_channel, redis_channel, redis_urls, shard_of

log = logging.getLogger(__name__)


class Hub:
    """All rooms with members in this process, on one event loop, over one ShardLink per Redis
    shard (consult/realtime/shard_link.py: a shard going away degrades its rooms only)."""

    def __init__(self, loop):
        self.loop = loop
        self.rooms = {}
        # Whose sockets are where, for revocation: (USER, "<id>") or (SESSION, group) -> the
        # (room group, socket key) pairs of their sockets, and back. A sweep that ends thousands
        # of sessions sends a revocation each; scanning every member of the process for each
        # was a tenth of a loaded process's CPU (bench/compare.py while sessions lapsed).
        self.sockets_of = {}
        self.owners_of = {}
        self.links = [ShardLink(self, i, url) for i, url in enumerate(redis_urls() or [None])]

    @property
    def degraded(self):
        """Some shard is away: its rooms are degraded, the others live."""
        return any(link.degraded for link in self.links)

    async def join(self, group, key, member, fill_gap=None):
        """Add a local socket to `group`; a case room passes `fill_gap` (rooms_local.Room)."""
        link = self.links[shard_of(group, len(self.links))]
        async with link.lock:
            room = self.rooms.get(group)
            if room is None:
                room = self.rooms[group] = Room(fill_gap=fill_gap, shard=link.index)
                try:
                    await link.subscribe_room(group)
                except asyncio.CancelledError:
                    del self.rooms[group]
                    raise
            room.members[key] = member
            self._index(group, key, member)
        if link.degraded:
            await member.send(DEGRADED)
        if len(self.links) > 1:
            # Revocations must reach this hub while any one shard is up: every link listens.
            for other in self.links:
                other.connect_soon()

    async def leave(self, group, key):
        room = self.rooms.get(group)
        if room is None:
            return
        link = self.links[room.shard]
        async with link.lock:
            room = self.rooms.get(group)
            if room is None:
                return
            room.members.pop(key, None)  # gone already if it was revoked
            self._unindex(group, key)
            if room.members:
                return
            del self.rooms[group]
            room.close()
            if self.rooms:
                await link.unsubscribe(group)
                return
        await self._close_if_idle(link, group)

    async def _close_if_idle(self, link, group):
        """The last room left: close every link rather than keep them (and their readers) bound
        to an event loop that may be about to end, as every test's loop does."""
        async with contextlib.AsyncExitStack() as locks:
            for each in self.links:  # always in shard order, so two callers never deadlock
                await locks.enter_async_context(each.lock)
            if not self.rooms:
                await self.close()
            elif group not in self.rooms:  # a join came in meanwhile: keep the links
                await link.unsubscribe(group)

    async def receive(self, group, seq, text):
        room = self.rooms.get(group)
        if room is not None:
            await room.receive(seq, text)

    def revoke(self, kind, value, code):
        """Take every matching socket out of its rooms at once, then tell it to close.

        Synchronous on purpose: no room frame can be handed to it after this returns.
        """
        only_in = None
        if kind == USER_IN_ROOM:  # an emergency access that ended: that case's room only
            value, only_in = value.split("@", 1)
            kind = USER
        for group, key in list(self.sockets_of.get((kind, value), ())):
            if only_in is not None and group != only_in:
                continue
            room = self.rooms.get(group)
            member = room.members.get(key) if room is not None else None
            self._unindex(group, key)
            if member is None or not member.matches(kind, value):
                continue  # dropped by its room already (a failed send)
            del room.members[key]
            try:
                member.revoke(code)
            except Exception:
                log.exception("revoking a socket failed")

    def _index(self, group, key, member):
        owners = [(USER, str(member.user_id))] if member.user_id is not None else []
        if member.session is not None:
            owners.append((SESSION, member.session))
        self.owners_of[(group, key)] = owners
        for owner in owners:
            self.sockets_of.setdefault(owner, set()).add((group, key))

    def _unindex(self, group, key):
        for owner in self.owners_of.pop((group, key), ()):
            sockets = self.sockets_of.get(owner)
            if sockets is not None:
                sockets.discard((group, key))
                if not sockets:
                    del self.sockets_of[owner]

    async def close(self):
        self.rooms.clear()
        self.sockets_of.clear()
        self.owners_of.clear()
        for link in self.links:
            await link.close()


_hubs = {}  # event loop -> Hub
_hubs_lock = threading.Lock()


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
    """Hold this thread's publishes and send them to Redis together, in order, on exit: one
    pipeline per shard."""
    if not redis_urls() or getattr(_batching, "pipelines", None) is not None:
        yield
        return
    _batching.pipelines = pipelines = {}  # shard url -> pipeline
    _batching.frames = frames = []  # (url, group, seq, text)
    try:
        yield
    finally:
        _batching.pipelines = _batching.frames = None
        for url, pipeline in pipelines.items():
            try:
                pipeline.execute()
            except Exception as error:  # noqa: BLE001 - the posts are stored: members backfill them by seq
                log.warning(
                    "publishing a batch of room frames failed (%s); delivering here only",
                    type(error).__name__,
                )
                for shard, group, seq, text in frames:
                    if shard == url:
                        _deliver_here(group, seq, text)


def publish(group, text, seq=UNORDERED):
    """Send a serialised frame to every member of the group, in every process. Any thread.

    With the group's Redis shard away the members in this process still hear it; the others
    resync when their hub is back (consult/realtime/shard_link.py), and the error is raised for
    the caller to log.
    """
    if seq == LATEST and _latest_publishes.held(group, text):
        return
    _publish_now(group, text, seq)


def _publish_now(group, text, seq):
    urls = redis_urls()
    if not urls:
        _deliver_here(group, seq, text)
        return
    url = urls[shard_of(group, len(urls))]
    message = b"%d|%s" % (seq, text.encode())
    pipelines = getattr(_batching, "pipelines", None)
    if pipelines is not None:
        pipeline = pipelines.get(url)
        if pipeline is None:
            pipeline = pipelines[url] = _sync_redis(url).pipeline(transaction=False)
        pipeline.publish(redis_channel(group), message)
        _batching.frames.append((url, group, seq, text))
        return
    try:
        _sync_redis(url).publish(redis_channel(group), message)
    except Exception:
        _deliver_here(group, seq, text)
        raise


class LatestPublishes:
    """LATEST frames (presence) published by this process at most once per room every
    LATEST_EVERY_SECONDS, all rooms' together: each is held, and when the process's window ends
    the newest of each room goes, in one pipeline per Redis shard, on a worker thread.

    A restarted process's 5,000 joins into 500 rooms made a presence publish each: one Redis
    round trip on a database thread per join, 0.1-0.2 ms of its CPU (bench/idle_sockets.py).
    Coalescing per room alone saved little there, as joins spread over 500 rooms rarely share a
    room's window; one window for the whole process makes it a few dozen publishes per pipeline.
    A presence change reaches the other processes up to LATEST_EVERY_SECONDS later. Windows are
    timed on a hub's loop; a process without a running hub (a command, a test without sockets)
    publishes each at once."""

    def __init__(self):
        self.lock = threading.Lock()
        # loop -> {group: the newest text held for the window's end}. Keyed by the loop that
        # times the window: a window whose loop stopped (a test's) never ends, and must not hold
        # a later loop's frames.
        self.pending = {}

    def held(self, group, text):
        """True if `text` is held for this process's window; False: the caller publishes it."""
        loop = _a_running_hub_loop()
        if loop is None:
            return False
        with self.lock:
            frames = self.pending.setdefault(loop, {})
            opens_window = not frames
            frames[group] = text
        if opens_window:
            try:
                loop.call_soon_threadsafe(loop.call_later, LATEST_EVERY_SECONDS, self._end, loop)
            except RuntimeError:  # the loop closed meanwhile: no window
                with self.lock:
                    self.pending.pop(loop, None)
                return False
        return True

    def _end(self, loop):
        with self.lock:
            frames = self.pending.pop(loop, None)
        if frames:
            loop.run_in_executor(None, _publish_held, frames)


def _publish_held(frames):
    # publishes_batched logs a failed pipeline and delivers its frames here only: presence is
    # refreshed, a lost one is not a loss.
    with publishes_batched():
        for group, text in frames.items():
            _publish_now(group, text, LATEST)


_latest_publishes = LatestPublishes()


def _a_running_hub_loop():
    with _hubs_lock:
        for h in _hubs.values():
            if h.loop.is_running():
                return h.loop
    return None


def _deliver_here(group, seq, text):
    with _hubs_lock:
        hubs = [h for h in _hubs.values() if not h.loop.is_closed() and group in h.rooms]
    for h in hubs:
        asyncio.run_coroutine_threadsafe(h.receive(group, seq, text), h.loop)


def publish_revocation(kind, value, code):
    """Close the matching sockets in every process's rooms (Hub.revoke). Any thread; at once,
    never batched: it must not wait behind frames of the batch (publishes_batched).

    Sent to every shard (every hub listens on each; twice is harmless), so it reaches every
    process while any shard is up. A shard that failed is logged; with every shard away it
    still reaches this process, the others recheck access from the database when their hub is
    back, and the error is raised."""
    urls = redis_urls()
    failed = []
    for url in urls:
        try:
            _sync_redis(url).publish(control_channel(), f"{kind}|{value}|{code}".encode())
        except Exception as error:  # noqa: BLE001 - the other shards still carry it
            failed.append(error)
    if urls and not failed:
        return
    _revoke_here(kind, value, code)
    if failed and len(failed) == len(urls):
        raise failed[-1]
    if failed:
        log.warning(
            "a revocation reached %d of %d Redis shards (%s)",
            len(urls) - len(failed),
            len(urls),
            type(failed[-1]).__name__,
        )


def _revoke_here(kind, value, code):
    with _hubs_lock:
        hubs = [h for h in _hubs.values() if not h.loop.is_closed()]
    for h in hubs:
        h.loop.call_soon_threadsafe(h.revoke, kind, str(value), code)


_clients = {}  # Redis URL -> the synchronous client every thread of the process publishes with


def _sync_redis(url):
    client = _clients.get(url)
    if client is None:
        import redis
        from redis.backoff import ExponentialBackoff
        from redis.retry import Retry

        # Publishes run in database threads right after a commit: with Redis away they must
        # fail in milliseconds (the change is stored; clients resync), not back off for seconds.
        client = _clients[url] = redis.Redis.from_url(
            url,
            max_connections=64,
            socket_connect_timeout=1,
            socket_timeout=2,
            health_check_interval=10,
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1),
        )
    return client
