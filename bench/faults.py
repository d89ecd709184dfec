"""Faults under load: what clients lose, see and wait for when Redis, a Daphne or PostgreSQL fails.

    python bench/faults.py [--clients 200] [--rooms 20] [--rate 40] [--table]
    python bench/faults.py --short   # the small version tests/deploy/test_faults_bench.py runs

Starts `make run-cluster`'s stack (deploy/run_cluster.Cluster: nginx, 2 Daphne, the scheduler) on
a database of its own (consult_faults) reached THROUGH A TCP PROXY this script controls, and on a
redis-server of its own (a free port): the machine's shared services are never stopped. Clients
behave like the browser: each holds its room socket through nginx, reconnects with jittered
backoff and `?after_seq=`, reconnects at once on `live`; one client per room posts (--rate
messages/s in all) and resends every unacknowledged message after a reconnect or `unavailable`.
Faults, one after another with --settle seconds between:
  1. redis    the Redis server is killed and started again --redis-seconds later (empty);
  2. sigterm  Daphne 0 gets SIGTERM; the cluster starts it again (as systemd would);
  3. pg-cut   the proxy drops every PostgreSQL connection and refuses new ones for --pg-seconds;
  4. pg-hang  the proxy stops forwarding bytes (connections stay open) for --pg-seconds.
For each fault it prints: sockets closed by code (1006 means no close frame), handshakes answered
with HTTP 5xx, `unavailable` answers, posts sent in the fault's window and the slowest answer to
one (ack or error: from the message.send frame to its answer; also from the outbox, which adds
the client's own pauses, window and reconnects), how long after the fault ended every room heard
a message sent after the fault live, and every client did (which adds each client's own 0-5 s
resync reconnect after `live`).
At the end every acknowledged client_id is looked up in the database (directly, not through the
proxy): acked-but-lost and stored-twice are counted. One JSON line, and a table with --table.
"""

import argparse
import asyncio
import collections
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.run_cluster import Cluster, ensure_database, free_port_block  # noqa: E402

PG = ("127.0.0.1", 5432)
RUN = f"f{os.getpid():x}{int(time.time()) % 100000:x}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    def __init__(self):
        self.port, self.process = free_port(), None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class PostgresProxy:
    """A TCP proxy to PostgreSQL: `pass`, `cut` (drop and refuse) or `hang` (forward nothing)."""

    def __init__(self):
        self.port, self.mode, self.links, self.server = free_port(), "pass", set(), None

    async def start(self):
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _accept(self, reader, writer):
        if self.mode == "cut":
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*PG)
        except OSError:
            writer.close()
            return
        link = (writer, up_writer)
        self.links.add(link)
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )
        self.links.discard(link)

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                # Holding the data back while hanging is the fault; set() is a plain assignment
                # from any caller, so poll rather than thread an Event through.
                while self.mode == "hang":  # noqa: ASYNC110 - see the comment above
                    await asyncio.sleep(0.05)
                if self.mode == "cut":
                    break
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    def cut(self):
        self.mode = "cut"
        for link in list(self.links):
            for writer in link:
                writer.transport.abort()

    def set(self, mode):
        self.mode = mode


class Stats:
    def __init__(self):
        self.events = []  # (time, kind, detail)
        self.sent = {}  # client_id -> when it was queued in the outbox
        self.answered = {}  # client_id -> first answer time (ack or error)
        self.frame_sent = {}  # client_id -> as frame_sent_at, until the frame is answered
        self.frame_sent_at = {}  # client_id -> when its latest message.send frame went out
        self.frame_answers = []  # (send time, seconds to the answer) of every message.send frame
        self.acked = set()
        # (receive time, queue time of the message, client index, its frame's send time) of every
        # live message.new
        self.live = []
        self.duplicate_frames = 0

    def note(self, kind, detail=None):
        self.events.append((time.monotonic(), kind, detail))

    def frame_answered(self, client_id):
        sent = self.frame_sent.pop(client_id, None)
        if sent is not None:
            self.frame_answers.append((sent, time.monotonic() - sent))


# As the browser: its outbox pacing (frontend/static/js/room.js) and its reconnect spread after
# `live` (room_socket.js).
SEND_WINDOW, SEND_PER_SECOND = 10, 5
LIVE_RESYNC_SPREAD_S = 5


class Client:
    def __init__(self, index, data, url, stats, sends):
        self.index, self.data, self.url, self.stats, self.sends = index, data, url, stats, sends
        self.room = data["rooms"][index % len(data["rooms"])]
        self.last_seq, self.seen, self.outbox, self.ws, self.attempt = 0, set(), {}, None, 0
        self.live_seqs = set()
        self.paused = False  # the server asked the outbox to wait (`unavailable` or `rate_limited`)
        self.in_flight, self.tokens, self.tokens_at, self.pump_later = set(), SEND_WINDOW, 0.0, None

    async def run(self, stopping):
        while not stopping.is_set():
            try:
                await self._session()
                self.attempt = 0
            except websockets.InvalidStatus as refused:
                self.stats.note("http", refused.response.status_code)
            except websockets.ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else 1006
                self.stats.note("close", code)
                if code == 1012:
                    self.attempt = 0
            except (TimeoutError, OSError, websockets.InvalidHandshake) as error:
                self.stats.note("connect_error", type(error).__name__)
            self.ws = None
            if stopping.is_set():
                return
            await asyncio.sleep(min(2.0, 0.25 * 2**self.attempt) * (0.5 + random.random() / 2))
            self.attempt += 1

    async def _session(self):
        query = f"?after_seq={self.last_seq}" if self.last_seq else ""
        headers = {"Cookie": f"{self.data['cookie_name']}={self.data['cookies'][self.index]}"}
        async with websockets.connect(
            self.url.replace("http", "ws") + f"/ws/cases/{self.room}/{query}",
            origin=self.url,
            additional_headers=headers,
            open_timeout=15,
            ping_interval=None,
            max_queue=None,
            compression=None,
        ) as ws:
            async for text in ws:
                frame = orjson.loads(text)
                kind = frame["type"]
                if kind == "room.joined":
                    self.stats.note("joined", self.index)
                    self.ws, self.live_seqs = ws, set()
                    self._shown(frame["messages"])
                    self.in_flight.clear()
                    self._pump()
                elif kind == "message.new":
                    self._live(frame["message"])
                elif kind == "history":
                    self._shown(frame["messages"])
                elif kind == "message.ack":
                    self.outbox.pop(frame["client_id"], None)
                    self.in_flight.discard(frame["client_id"])
                    self._pump()
                    self.stats.acked.add(frame["client_id"])
                    self.stats.answered.setdefault(frame["client_id"], time.monotonic())
                    self.stats.frame_answered(frame["client_id"])
                elif kind == "error":
                    self.stats.note("error", frame["code"])
                    if frame.get("client_id"):
                        self.stats.answered.setdefault(frame["client_id"], time.monotonic())
                        self.stats.frame_answered(frame["client_id"])
                        self.in_flight.discard(frame["client_id"])
                        if frame["code"] in ("unavailable", "rate_limited") and not self.paused:
                            # As the browser's outbox: one pause for all, then all again.
                            self.paused = True
                            pause = max(frame.get("retry_after", 2), 1)
                            asyncio.get_running_loop().call_later(pause, self._resume)
                elif kind == "degraded":
                    self.stats.note("degraded")
                elif kind == "live":
                    # As the browser: fetch the missed messages at once on this socket, and
                    # reconnect within 0-5 s for a fresh handshake (spread, not all at once).
                    self.stats.note("live", self.index)
                    fetch = {"type": "history.fetch", "after_seq": self.last_seq}
                    await ws.send(orjson.dumps(fetch).decode())
                    spread = random.random() * LIVE_RESYNC_SPREAD_S
                    asyncio.get_running_loop().call_later(
                        spread, lambda: asyncio.ensure_future(ws.close())
                    )

    def _shown(self, messages):
        for message in messages:
            self.seen.add(message["seq"])
            self.last_seq = max(self.last_seq, message["seq"])

    def _live(self, message):
        # A live frame may repeat one its join's history carried (the socket subscribes before it
        # reads history, by design); the same seq live twice on one socket is a real duplicate.
        if message["seq"] in self.live_seqs:
            self.stats.duplicate_frames += 1
        self.live_seqs.add(message["seq"])
        sent_at = self.stats.sent.get(message["client_id"])
        if sent_at is not None:
            frame_at = self.stats.frame_sent_at.get(message["client_id"], sent_at)
            self.stats.live.append((time.monotonic(), sent_at, self.index, frame_at))
        self._shown([message])

    def _resume(self):
        self.paused = False
        self.in_flight.clear()
        self._pump()

    def _pump(self):
        """As the browser's outbox (room.js): in order, SEND_WINDOW unanswered at most, paced."""
        if self.paused or self.ws is None:
            return
        for client_id, body in list(self.outbox.items()):
            if len(self.in_flight) >= SEND_WINDOW:
                break
            if client_id in self.in_flight:
                continue
            if not self._take_token():
                if self.pump_later is None:
                    loop = asyncio.get_running_loop()
                    self.pump_later = loop.call_later(1 / SEND_PER_SECOND, self._pump_again)
                break
            self.in_flight.add(client_id)
            asyncio.ensure_future(self.send(client_id, body))

    def _pump_again(self):
        self.pump_later = None
        self._pump()

    def _take_token(self):
        now = time.monotonic()
        self.tokens = min(SEND_WINDOW, self.tokens + (now - self.tokens_at) * SEND_PER_SECOND)
        self.tokens_at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    async def send(self, client_id, body):
        try:
            self.stats.frame_sent[client_id] = self.stats.frame_sent_at[client_id] = (
                time.monotonic()
            )
            await self.ws.send(
                orjson.dumps(
                    {"type": "message.send", "client_id": client_id, "body": body}
                ).decode()
            )
        except (websockets.ConnectionClosed, AttributeError):
            pass  # resent after the reconnect

    async def post_forever(self, period, stopping):
        n = 0
        await asyncio.sleep(random.random() * period)
        while not stopping.is_set():
            client_id = f"{RUN}-{self.index}-{n}"  # unique across runs on the same database
            n += 1
            self.outbox[client_id] = "fault check in"
            self.stats.sent[client_id] = time.monotonic()
            self._pump()
            await asyncio.sleep(period)


def window_report(stats, name, start, end, settle_end, rooms):
    events = [(t, kind, detail) for t, kind, detail in stats.events if start <= t < settle_end]
    closes = collections.Counter(detail for _, kind, detail in events if kind == "close")
    http = collections.Counter(detail for _, kind, detail in events if kind == "http")
    sent_in = [cid for cid, t in stats.sent.items() if start <= t < end]
    answer_s = [stats.answered[cid] - stats.sent[cid] for cid in sent_in if cid in stats.answered]
    frame_answer_s = [seconds for sent, seconds in stats.frame_answers if start <= sent < end]
    first_live = {}  # client -> when it first heard a message posted after the fault ended
    room_live = {}  # room -> when a member first heard a message sent after the fault ended
    for received, sent_at, client, frame_at in stats.live:
        if sent_at >= end and received < settle_end:
            first_live[client] = min(first_live.get(client, received), received)
        if frame_at >= end and received < settle_end:
            room = client % rooms
            room_live[room] = min(room_live.get(room, received), received)
    # Where a slow return to live comes from: the `live` frame, the fresh join, then a message.
    told, rejoined = {}, {}
    for t, kind, client in events:
        if kind == "live" and t >= end:
            told.setdefault(client, t)
        elif kind == "joined" and client in told and t >= told[client]:
            rejoined.setdefault(client, t)
    return {
        "fault": name,
        "live_told_after_s": round(max(told.values()) - end, 2) if told else None,
        "rejoined_after_s": round(max(rejoined.values()) - end, 2) if rejoined else None,
        "seconds": round(end - start, 1),
        "closes": dict(closes),
        "http_5xx": sum(n for status, n in http.items() if status >= 500),
        "http": dict(http),
        "unavailable": sum(1 for _, k, d in events if k == "error" and d == "unavailable"),
        "degraded_told": sum(1 for _, k, _ in events if k == "degraded"),
        "posts_in_window": len(sent_in),
        "posts_unanswered": len(sent_in) - len(answer_s),
        # From the frame's sending to its answer: how long the server took to answer a post.
        "slowest_answer_s": round(max(frame_answer_s), 2) if frame_answer_s else None,
        # From the outbox to the first answer: adds the client's own waits (its pause after
        # `unavailable`, its window, a reconnect).
        "slowest_outbox_to_answer_s": round(max(answer_s), 2) if answer_s else None,
        "clients_live_again": len(first_live),
        "clients_told_live": len(told),
        "not_live_again": sorted(set(told) - set(first_live))[:20],
        "all_live_again_after_s": round(max(first_live.values()) - end, 2) if first_live else None,
        # Every room heard a message sent after the fault ended, live, this long after it ended.
        "rooms_live_again": len(room_live),
        "all_rooms_live_again_after_s": round(max(room_live.values()) - end, 2)
        if room_live
        else None,
    }


def stored_counts(database, client_ids):
    import psycopg

    with psycopg.connect(f"postgres://postgres@{PG[0]}:{PG[1]}/{database}") as conn:
        rows = conn.execute(
            "SELECT client_id, count(*) FROM cases_message WHERE client_id = ANY(%s) "
            "GROUP BY client_id",
            [list(client_ids)],
        ).fetchall()
    return dict(rows)


async def run(args, cluster, redis, proxy, data):
    stats, stopping = Stats(), asyncio.Event()
    clients = [
        Client(i, data, cluster.url, stats, sends=i < len(data["rooms"]))
        for i in range(len(data["cookies"]))
    ]
    tasks = [asyncio.ensure_future(c.run(stopping)) for c in clients]
    period = len(data["rooms"]) / args.rate
    tasks += [asyncio.ensure_future(c.post_forever(period, stopping)) for c in clients if c.sends]
    keeper = asyncio.ensure_future(keep_cluster_up(cluster, stopping))
    await asyncio.sleep(args.settle)
    reports = []

    async def fault(name, begin, end, seconds):
        start = time.monotonic()
        if asyncio.iscoroutine(started := begin()):
            await started
        await asyncio.sleep(seconds)
        if asyncio.iscoroutine(ended := end()):
            await ended
        finished = time.monotonic()
        await asyncio.sleep(args.settle)
        reports.append(
            window_report(stats, name, start, finished, time.monotonic(), len(data["rooms"]))
        )

    faults = {
        "redis": (
            lambda: asyncio.to_thread(redis.kill),
            lambda: asyncio.to_thread(redis.start),
            args.redis_seconds,
        ),
        "sigterm": (
            lambda: cluster.processes["daphne-0"].send_signal(signal.SIGTERM),
            lambda: None,
            0,
        ),
        "pg-cut": (proxy.cut, lambda: proxy.set("pass"), args.pg_seconds),
        "pg-hang": (lambda: proxy.set("hang"), lambda: proxy.set("pass"), args.pg_seconds),
    }
    for name in args.only.split(","):
        await fault(name, *faults[name])
    await asyncio.sleep(args.settle)  # resends of the last window settle
    stopped_at = time.monotonic()
    stopping.set()
    for c in clients:
        if c.ws is not None:
            await c.ws.close()
    await asyncio.wait(tasks + [keeper], timeout=20)
    stored = await asyncio.to_thread(stored_counts, args.database, stats.acked)
    return {
        "clients": len(clients),
        "rooms": len(data["rooms"]),
        "rate": args.rate,
        "posts_sent": len(stats.sent),
        "acked": len(stats.acked),
        # Posts sent long enough before the end that their ack should have come: a resend loop that
        # gave up would show here.
        "unacked_after_5s": sum(
            1 for cid, t in stats.sent.items() if cid not in stats.acked and t < stopped_at - 5
        ),
        "acked_lost": sum(1 for cid in stats.acked if cid not in stored),
        "stored_twice": sum(1 for n in stored.values() if n > 1),
        "duplicate_frames": stats.duplicate_frames,
        "faults": reports,
        "load_avg": os.getloadavg(),
    }


async def keep_cluster_up(cluster, stopping):
    while not stopping.is_set():
        await asyncio.to_thread(cluster.restart_exited)
        await asyncio.sleep(0.5)


async def main_async(args):
    proxy = PostgresProxy()
    await proxy.start()
    redis = OwnRedis()
    redis.start()
    env = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{proxy.port}/{args.database}",
        "REDIS_URL": redis.url,
        "DB_CALL_TIMEOUT_SECONDS": str(args.db_call_timeout),
        "CHANNEL_PREFIX": f"faults-{os.getpid()}",
    }
    cluster = Cluster(port=free_port_block(), workdir=ROOT / "var" / "faults", env=env)
    try:
        await asyncio.to_thread(
            ensure_database, f"postgres://postgres@{PG[0]}:{PG[1]}/{args.database}"
        )
        await asyncio.to_thread(cluster.prepare, seed=False)
        data_path = ROOT / "var" / "faults-clients.json"
        await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "bench/setup_load.py",
                "--clients",
                str(args.clients),
                "--rooms",
                str(args.rooms),
                "--out",
                str(data_path),
            ],
            cwd=ROOT,
            env=cluster.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        data = json.loads(data_path.read_text())
        await asyncio.to_thread(cluster.start)
        return await asyncio.wait_for(run(args, cluster, redis, proxy, data), timeout=args.budget)
    finally:
        await asyncio.to_thread(cluster.stop)
        redis.kill()
        proxy.server.close()


def print_table(result):
    print(
        f"  {result['clients']} clients, {result['rooms']} rooms, {result['rate']} msg/s: "
        f"{result['posts_sent']} sent, {result['acked']} acked, {result['acked_lost']} acked but "
        f"lost, {result['stored_twice']} stored twice, {result['duplicate_frames']} duplicate "
        f"frames",
        file=sys.stderr,
    )
    for r in result["faults"]:
        print(
            f"  {r['fault']:<8} closes {r['closes'] or '{}'}  5xx {r['http_5xx']}  unavailable "
            f"{r['unavailable']}  posts {r['posts_in_window']} (slowest answer "
            f"{r['slowest_answer_s']} s, from the outbox {r['slowest_outbox_to_answer_s']} s, "
            f"{r['posts_unanswered']} unanswered)  rooms live again "
            f"{r['rooms_live_again']}, the last {r['all_rooms_live_again_after_s']} s after; "
            f"clients {r['clients_live_again']}, the last {r['all_live_again_after_s']} s after",
            file=sys.stderr,
        )


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--rooms", type=int, default=20)
    p.add_argument(
        "--rate", type=float, default=40, help="messages per second, all senders together"
    )
    p.add_argument("--redis-seconds", type=float, default=5)
    p.add_argument("--pg-seconds", type=float, default=20)
    p.add_argument("--settle", type=float, default=10)
    p.add_argument("--db-call-timeout", type=int, default=8)
    p.add_argument("--database", default="consult_faults")
    p.add_argument("--budget", type=float, default=900)
    p.add_argument("--short", action="store_true", help="20 clients, 4 rooms, 2-4 s faults: for CI")
    p.add_argument("--table", action="store_true")
    p.add_argument("--only", default="redis,sigterm,pg-cut,pg-hang", help="faults to run, in order")
    args = p.parse_args()
    if args.short:
        args.clients, args.rooms, args.rate = 20, 4, 8
        args.redis_seconds, args.pg_seconds, args.settle, args.db_call_timeout = 2, 4, 5, 2
    result = asyncio.run(main_async(args))
    print(json.dumps(result), flush=True)
    if args.table:
        print_table(result)


if __name__ == "__main__":
    main()
