"""One room's local members and its in-order delivery (the room hub's per-group half).

A Room holds the sockets of one group in this process and hands each message frame to them in
seq order (Room's docstring); a Member is one such socket. consult/realtime/hub.py keeps the
rooms, and consult/realtime/shard_link.py their Redis subscriptions.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from consult.ops import metrics
from consult.realtime import wire

log = logging.getLogger(__name__)

REORDER_HOLD_SECONDS = 0.1
GAP_FILL_SECONDS = 1.0
UNORDERED = 0  # seq for frames outside the room's message sequence (reads, redactions...)
# seq for frames of which only the newest matters (presence): a room delivers the first at once
# and then at most one per LATEST_EVERY_SECONDS, the newest, so that a reconnect storm's joins
# into a room cost its members one presence frame per window, not one per join.
LATEST = -1
LATEST_EVERY_SECONDS = 0.1
USER, SESSION = "user", "session"  # what a revocation names: a user id or a session group
USER_IN_ROOM = "user_in_room"  # one user's sockets in one room only: "<user id>@<room group>"


class Room:
    """The local members of one group and the last message seq handed to them.

    Delivery of message frames, for each arriving (seq, text):
      1. a seq at or below the last one delivered is a duplicate or arrived after the hold gave
         up on it: dropped (the client already saw that gap and fetched it from the database);
      2. the next seq (or the first frame this room hears) is delivered, then every held frame
         that now follows in order;
      3. a seq that skips ahead is held until the missing one arrives or REORDER_HOLD_SECONDS
         pass; then the missing messages are read from the database (`fill_gap`, for case
         rooms) and everything is delivered in order. A gap the read could not fill (database
         away, or slower than GAP_FILL_SECONDS) is left to the client, which fetches it itself.
    Receiving and flushing share a lock: a send may yield, and the two must not interleave.
    """

    def __init__(self, fill_gap=None, shard=0):
        # async (after_seq, before_seq) -> [(seq, text)] of the message frames in between
        self.fill_gap = fill_gap
        self.shard = shard  # the Redis shard carrying the room (consult/realtime/shards.py)
        self.members = {}  # key -> Member
        self.last_seq = None
        self.held = {}  # seq -> text, waiting for an earlier seq
        self.flush_handle = None
        self.ordering = asyncio.Lock()
        self.newest = None  # the newest LATEST frame, waiting for its window to end
        self.window = None  # the end of the current LATEST window, while one is open

    async def receive(self, seq, text):
        if seq == UNORDERED:
            await self.deliver(text)
            return
        if seq == LATEST:
            await self._coalesced(text)
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

    def close(self):
        """The room's last member left: nothing of it may run later."""
        self.cancel_flush()
        if self.window is not None:
            self.window.cancel()
            self.window = self.newest = None

    async def _coalesced(self, text):
        if self.window is not None:
            self.newest = text  # replaces any older one still waiting
            return
        self._open_window()
        await self.deliver(text)

    def _open_window(self):
        loop = asyncio.get_running_loop()
        self.window = loop.call_later(LATEST_EVERY_SECONDS, self._window_ended)

    def _window_ended(self):
        self.window = None
        text, self.newest = self.newest, None
        if text is not None:
            self._open_window()
            asyncio.ensure_future(self.deliver(text))

    def _flush_soon(self):
        self.flush_handle = None
        asyncio.ensure_future(self.flush())

    async def flush(self):
        """The missing frame never came (its publisher died or it was dropped): move on."""
        async with self.ordering:
            if self.held:
                metrics.hub_gaps_flushed.inc()
                await self._fill_gaps()
            while self.held:
                seq = min(self.held)
                await self._deliver_next(seq, self.held.pop(seq))

    async def _fill_gaps(self):
        if self.fill_gap is None or self.last_seq is None:
            return
        try:
            async with asyncio.timeout(GAP_FILL_SECONDS):
                found = await self.fill_gap(self.last_seq, max(self.held))
        except Exception as error:  # noqa: BLE001 - the clients fetch the gap themselves
            log.info("filling a room gap failed (%s)", type(error).__name__)
            return
        for seq, text in found:
            if seq > self.last_seq and seq not in self.held:
                self.held[seq] = text
                metrics.hub_gaps_fetched.inc()

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
    recheck: Callable = lambda: (
        None
    )  # after a Redis outage: is access still there? (a revocation may be lost)

    def matches(self, kind, value):
        return (kind == USER and str(self.user_id) == value) or (
            kind == SESSION and self.session == value
        )
