"""Open-loop load on Consult's case rooms, over its real protocol. Prints ONE JSON line.

    python bench/load.py --url http://127.0.0.1:8080 --clients 200 --rooms 20 --rate 200 --table

Clients and rooms come from bench/setup_load.py, run first against the servers' database
(`--setup` does it here, with the DATABASE_URL in the environment). Client i joins room
i % R at /ws/cases/<code>/ with its session cookie and an Origin header; with several --url
values it uses url[(i // R) % len(urls)], so every room is split across the servers and
most deliveries cross processes. One member per room sends (on server r % len(urls), so
posts are spread too); together the senders post --rate messages/s, evenly phased and open
loop: a slow server does not slow the schedule down.

Every `message.send` carries a fresh client_id; the sender's clock at sending is kept by
client_id, and every `message.new` any client receives is matched to it. Reported:
per-delivery latency (p50/p95/p99/max, from the send), ack latency, delivered versus
expected (every member of the room, the sender included), duplicates, order violations
(a seq at or below one already shown, or filled in after a later one), connect time, and the
CPU of server processes (--pid name=PID, or --pids-file from run_cluster). Bodies are plain
words: they pass the de-identification guard and the server's markdown fast path.
"""

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import orjson

try:
    import uvloop
except ImportError:
    uvloop = None

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from lean_ws import Closed  # noqa: E402
from lean_ws import connect as lean_connect  # noqa: E402
from stats import cpu_seconds, cpu_ticks, rss_mb, steal_pct, summary_ms  # noqa: E402

BODY = "quick check in on the plan"


class Run:
    """Bookkeeping shared by every client of one run."""

    def __init__(self, args, data):
        self.args = args
        self.data = data
        self.sent = {}  # client_id -> [send time, room, measured, deliveries]
        self.latency, self.ack_latency = [], []
        self.latency_at = []  # send time of each measured delivery, for the per-second p99
        self.duplicates = self.order_violations = self.unknown = self.errors = 0
        self.first_errors = []
        self.members = [0] * len(data["rooms"])
        self.closing = False

    def error(self, text):
        self.errors += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(text[:200])


class Client:
    def __init__(self, run, index, url):
        self.run, self.index, self.url = run, index, url
        self.room = index % len(run.data["rooms"])
        self.ws = None
        self.seen = set()
        self.last_seq = 0
        self.acks = {}

    async def connect(self):
        data = self.run.data
        base = urlsplit(self.url)
        url = f"{base.scheme}://{base.netloc}/ws/cases/{data['rooms'][self.room]}/"
        cookie = f"{data['cookie_name']}={data['cookies'][self.index]}"
        ws, first = await lean_connect(
            url,
            origin=f"{base.scheme}://{base.netloc}",
            headers=[("Cookie", cookie)],
            open_seconds=self.run.args.connect_timeout,
        )
        joined = orjson.loads(first)
        if joined.get("type") != "room.joined":
            await ws.close()
            raise RuntimeError(f"expected room.joined, got {joined.get('type')}")
        self.ws = ws
        self.last_seq = joined["last_seq"]
        self.seen.update(m["seq"] for m in joined["messages"])

    async def read(self):
        """Every frame is handled as it is cut from the socket's buffer (bench/lean_ws.py)."""
        self.ws.listen(lambda payload: self.on_frame(orjson.loads(payload), time.time()))
        code = await self.ws.closed
        if not self.run.closing:
            self.run.error(f"closed[{self.index}]: {code or 1006}")

    def on_frame(self, frame, now):
        kind = frame.get("type")
        if kind == "message.new":
            self.on_message(frame["message"], now)
        elif kind == "message.ack":
            sent_at = self.acks.pop(frame["client_id"], None)
            if sent_at is not None:
                self.run.ack_latency.append(now - sent_at)
        elif kind == "error":
            self.run.error(f"error[{self.index}]: {frame.get('code')} {frame.get('message')}")

    def on_message(self, message, now):
        seq = message["seq"]
        if seq in self.seen:
            self.run.duplicates += 1
            return
        if seq < self.last_seq:
            self.run.order_violations += 1
        self.seen.add(seq)
        self.last_seq = max(self.last_seq, seq)
        info = self.run.sent.get(message["client_id"])
        if info is None:
            self.run.unknown += 1  # another run's message, or one posted before ours began
            return
        info[3] += 1
        if info[2]:
            self.run.latency.append(now - info[0])
            self.run.latency_at.append(info[0])

    async def send(self, client_id, measured):
        now = time.time()
        self.run.sent[client_id] = [now, self.room, measured, 0]
        self.acks[client_id] = now
        self.ws.send_text(
            orjson.dumps({"type": "message.send", "client_id": client_id, "body": BODY}).decode()
        )


async def connect_all(run, clients):
    semaphore = asyncio.Semaphore(run.args.connect_concurrency)
    times = []

    async def one(client):
        async with semaphore:
            started = time.perf_counter()
            try:
                await client.connect()
            except Exception as error:  # noqa: BLE001 - counted and reported, never fatal
                run.error(f"connect[{client.index}]: {type(error).__name__}: {error}")
                client.ws = None
                return
            times.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(one(c) for c in clients))
    return time.perf_counter() - started, times


def choose_senders(run, connected, urls):
    """--senders-per-room connected members per room (one by default), the first on server
    r % len(urls) when the room has one there, the others spread over the servers."""
    senders = []
    for r in range(len(run.data["rooms"])):
        members = [c for c in connected if c.room == r]
        preferred = [c for c in members if c.url == urls[r % len(urls)]]
        if not members:
            continue
        first = (preferred or members)[0]
        others = [c for c in members if c is not first]
        senders += [first, *others[: run.args.senders_per_room - 1]]
    return senders


async def send_schedule(run, senders, t0, t_warm, t_end):
    rate = run.args.rate
    interval = len(senders) / rate
    prefix = f"L{os.getpid():x}{int(t0) % 100000:x}"

    async def sender(k, client):
        due, n = t0 + k / rate, 0
        while due < t_end:
            delay = due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            n += 1
            try:
                await client.send(f"{prefix}-{client.index}-{n}", measured=due >= t_warm)
            except Closed:
                return
            due += interval

    await asyncio.gather(*(sender(k, c) for k, c in enumerate(senders)))


def watched_pids(args):
    pids = {}
    for item in args.pid:
        name, _, pid = item.partition("=")
        pids[name] = int(pid)
    if args.pids_file and Path(args.pids_file).is_file():
        pids.update({k: int(v) for k, v in json.loads(Path(args.pids_file).read_text()).items()})
    return pids


async def measure(args, data):
    run = Run(args, data)
    urls = args.url
    n_clients = min(args.clients, len(data["cookies"]))
    clients = [
        Client(run, i, urls[(i // len(data["rooms"])) % len(urls)]) for i in range(n_clients)
    ]
    connect_s, connect_times = await connect_all(run, clients)
    connected = [c for c in clients if c.ws is not None]
    for c in connected:
        run.members[c.room] += 1
    readers = [asyncio.create_task(c.read()) for c in connected]
    senders = choose_senders(run, connected, urls)
    await asyncio.sleep(args.settle)

    pids = watched_pids(args)
    t0 = time.time() + 0.2
    t_warm, t_end = t0 + args.warmup, t0 + args.duration
    cpu_task = asyncio.create_task(cpu_window(pids, t_warm, t_end))
    await send_schedule(run, senders, t0, t_warm, t_end)
    cpu = await cpu_task

    measured = [v for v in run.sent.values() if v[2]]
    expected = sum(run.members[v[1]] for v in measured)
    deadline = time.time() + args.drain
    # Poll: the readers only append to run.latency, and the deadline ends the wait either way.
    while time.time() < deadline and len(run.latency) < expected:  # noqa: ASYNC110 - see above
        await asyncio.sleep(0.05)
    run.closing = True
    await asyncio.wait([asyncio.create_task(c.ws.close()) for c in connected], timeout=10)
    for task in readers:
        task.cancel()
    result = report(
        args, run, clients, connected, connect_s, connect_times, measured, expected, cpu, pids
    )
    result["t0"] = round(t0, 3)
    result["stolen_by_host_pct"] = cpu.pop("stolen_by_host")
    return result


async def cpu_window(pids, t_warm, t_end):
    """CPU % of each watched process (and this one) over the measured window."""
    await asyncio.sleep(max(0, t_warm - time.time()))
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    me0, w0, ticks0 = time.process_time(), time.time(), cpu_ticks()
    await asyncio.sleep(max(0, t_end - time.time()))
    wall = time.time() - w0
    result = {
        "loadgen": round(100 * (time.process_time() - me0) / wall, 1),
        "stolen_by_host": steal_pct(ticks0, cpu_ticks()),
    }
    for name, pid in pids.items():
        after = cpu_seconds(pid)
        if before[name] is not None and after is not None:
            result[name] = round(100 * (after - before[name]) / wall, 1)
    return result


def p99_by_second(latency, sent_at):
    """The p99 of the deliveries of messages sent in each second of the window: a spike shows
    as one or two bad seconds (a pause), a saturated server as a rising tail."""
    by_second = {}
    if not sent_at:
        return []
    start = min(sent_at)
    for value, at in zip(latency, sent_at, strict=True):
        by_second.setdefault(int(at - start), []).append(value)
    return [
        (summary_ms(by_second[second]) or {}).get("p99") if second in by_second else None
        for second in range(max(by_second) + 1)
    ]


def report(args, run, clients, connected, connect_s, connect_times, measured, expected, cpu, pids):
    window = args.duration - args.warmup
    delivered = len(run.latency)
    lat = summary_ms(run.latency)
    result = {
        "label": args.label,
        "system": "consult",
        "urls": args.url,
        "clients": len(clients),
        "connected": len(connected),
        "rooms": len(run.data["rooms"]),
        "rate_target": args.rate,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "connect_s": round(connect_s, 2),
        "connect_ms": summary_ms(connect_times),
        "sent_measured": len(measured),
        "achieved_msgs_per_s": round(len(measured) / window, 1),
        "expected_deliveries": expected,
        "delivered": delivered,
        "delivery_ratio": round(delivered / expected, 5) if expected else None,
        "lost": expected - delivered,
        "duplicates": run.duplicates,
        "order_violations": run.order_violations,
        "deliveries_per_s": round(delivered / window, 1),
        "lat_ms": lat,
        "ack_ms": summary_ms(run.ack_latency),
        "p99_ms_by_second": p99_by_second(run.latency, run.latency_at),
        "cpu_pct": cpu,
        "rss_mb": {name: rss_mb(pid) for name, pid in pids.items()},
        "errors": run.errors,
        "first_errors": run.first_errors,
        "load_avg": os.getloadavg(),
    }
    result["slo_p99_ms"] = args.slo_p99_ms
    result["within_slo"] = bool(
        lat
        and lat["p99"] <= args.slo_p99_ms
        and result["lost"] == 0
        and len(connected) == len(clients)
    )
    return result


def print_table(result):
    rows = [
        (
            "clients / rooms",
            f"{result['connected']}/{result['clients']} connected, {result['rooms']} rooms",
        ),
        ("rate", f"{result['achieved_msgs_per_s']} msg/s (target {result['rate_target']})"),
        (
            "deliveries",
            f"{result['delivered']} of {result['expected_deliveries']} "
            f"({result['deliveries_per_s']}/s), lost {result['lost']}",
        ),
        ("duplicates / out of order", f"{result['duplicates']} / {result['order_violations']}"),
        ("latency ms p50/p95/p99/max", _quantiles(result["lat_ms"])),
        ("ack ms p50/p95/p99/max", _quantiles(result["ack_ms"])),
        (
            "connect",
            f"{result['connect_s']} s for all; p99 {(result['connect_ms'] or {}).get('p99')} ms",
        ),
        ("CPU %", ", ".join(f"{k} {v}" for k, v in result["cpu_pct"].items())),
        ("load average", " ".join(f"{x:.2f}" for x in result["load_avg"])),
        ("errors", f"{result['errors']} {result['first_errors'][:2]}"),
        ("within SLO", f"{result['within_slo']} (p99 <= {result['slo_p99_ms']} ms, nothing lost)"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}", file=sys.stderr)


def _quantiles(lat):
    if not lat:
        return "-"
    return f"{lat['p50']} / {lat['p95']} / {lat['p99']} / {lat['max']}"


def load_data(args):
    if args.setup:
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "setup_load.py"),
                "--clients",
                str(args.clients),
                "--rooms",
                str(args.rooms),
                "--out",
                args.data,
            ],
            check=True,
            cwd=ROOT,
        )
    data = json.loads(Path(args.data).read_text())
    if len(data["rooms"]) < args.rooms or len(data["cookies"]) < args.clients:
        sys.exit(
            f"{args.data} has {len(data['cookies'])} clients and {len(data['rooms'])} rooms, fewer "
            f"than asked: run with --setup"
        )
    data["rooms"] = data["rooms"][: args.rooms]
    return data


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--url",
        action="append",
        help="server base URL (repeat to spread clients); "
        "default http://127.0.0.1:8080 (make run-cluster)",
    )
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--rooms", type=int, default=20)
    p.add_argument("--rate", type=float, default=200, help="total messages/s over all senders")
    p.add_argument(
        "--senders-per-room", type=int, default=1, help="members of each room who post, in turn"
    )
    p.add_argument("--duration", type=float, default=12, help="send window incl. warmup (s)")
    p.add_argument("--warmup", type=float, default=2, help="first seconds excluded from figures")
    p.add_argument("--drain", type=float, default=5, help="max wait for in-flight deliveries (s)")
    p.add_argument("--settle", type=float, default=1.0, help="pause after every client connected")
    p.add_argument(
        "--data", default=str(ROOT / "var" / "load.json"), help="file from bench/setup_load.py"
    )
    p.add_argument(
        "--setup", action="store_true", help="run bench/setup_load.py first (needs DATABASE_URL)"
    )
    p.add_argument("--connect-concurrency", type=int, default=100)
    p.add_argument("--connect-timeout", type=float, default=60)
    p.add_argument(
        "--pid", action="append", default=[], help="name=PID of a server process to watch"
    )
    p.add_argument(
        "--pids-file",
        default=str(ROOT / "var" / "cluster" / "pids.json"),
        help="JSON {name: pid} of server processes (written by make run-cluster)",
    )
    p.add_argument("--slo-p99-ms", type=float, default=100)
    p.add_argument("--label", default="")
    p.add_argument("--table", action="store_true", help="also print a human table (to stderr)")
    args = p.parse_args(argv)
    args.url = args.url or ["http://127.0.0.1:8080"]
    return args


def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv=None):
    args = parse_args(argv)
    raise_file_limit()
    data = load_data(args)
    measuring = asyncio.wait_for(measure(args, data), timeout=args.duration + args.drain + 300)
    # On uvloop when installed, as the reference generator (bench/stock_loadgen.py) runs: the
    # generator shares this machine's two cores with the servers it measures.
    result = uvloop.run(measuring) if uvloop is not None else asyncio.run(measuring)
    result["uvloop"] = uvloop is not None
    print(json.dumps(result), flush=True)
    if args.table:
        print_table(result)
    return result


if __name__ == "__main__":
    main()
