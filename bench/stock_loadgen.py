#!/usr/bin/env python
"""Open-loop websocket room fan-out load generator.  Prints ONE JSON result line.

(The reference load generator of the stock-Channels baseline, kept verbatim from the
performance brief; bench/compare.py drives it against bench/baseline_app.)

N clients are spread over R rooms (client i -> room i % R).  In each room the first S
members are senders; together all senders post `--rate` messages/s (evenly phased,
open loop: a slow server does not slow the schedule down).  Every message carries an id
and a send timestamp; every client records each delivery it receives, so we get
per-delivery latency, delivered/expected ratio (losses), duplicates, per-sender order
violations (a receiver sees an older message of a sender after a newer one), msgs/s, deliveries/s.

With several --url values, client i uses url[(i // R) % len(urls)], so every room is split
across the servers (cross-process delivery); latency is also reported local vs cross.

Protocol hooks (--hooks module.path or path/to/file.py) may define any of:
    make_message(template: dict, msg_id: int, ts: float, room: str, client: int) -> str | bytes
    extract_id(raw: str | bytes) -> (msg_id, ts) | None    # None = not a data frame, ignore;
                                                            # msg_id as given to make_message (int)
    async on_connect(ws, client: int, room: str) -> None    # e.g. auth / subscribe handshake
    url_for(pattern: str, room: str, client: int) -> str
The defaults send the --template JSON object plus {"id", "ts", "room"} fields, and parse the
echoed JSON back (field names via --id-field / --ts-field).

Example:
  .venv/bin/python loadgen.py --url 'ws://127.0.0.1:8001/ws/room/{room}/' \
      --clients 200 --rooms 20 --senders 1 --rate 200 --duration 12 --warmup 2
"""

import argparse
import asyncio
import importlib
import importlib.util
import json
import os
import platform
import resource
import secrets
import sys
import time

import orjson
import websockets
from websockets.asyncio.client import connect

# ----------------------------------------------------------------------------- hooks


class DefaultHooks:
    def __init__(self, args):
        self.id_field = args.id_field
        self.ts_field = args.ts_field
        self.pad = "x" * args.payload_bytes if args.payload_bytes else None

    def make_message(self, template, msg_id, ts, room, client):
        d = dict(template)
        d[self.id_field] = msg_id
        d[self.ts_field] = ts
        d["room"] = room
        if self.pad is not None:
            d["body"] = self.pad
        return orjson.dumps(d).decode()

    def extract_id(self, raw):
        try:
            d = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(d, dict) or self.id_field not in d:
            return None
        return d[self.id_field], d.get(self.ts_field)

    async def on_connect(self, ws, client, room):
        return None

    def url_for(self, pattern, room, client):
        return pattern.format(room=room, client=client)


def load_hooks(args):
    hooks = DefaultHooks(args)
    if not args.hooks:
        return hooks
    if args.hooks.endswith(".py"):
        spec = importlib.util.spec_from_file_location("loadgen_hooks", args.hooks)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    else:
        mod = importlib.import_module(args.hooks)
    if hasattr(mod, "setup"):
        mod.setup(args)
    for name in ("make_message", "extract_id", "on_connect", "url_for"):
        if hasattr(mod, name):
            setattr(hooks, name, getattr(mod, name))
    return hooks


# ----------------------------------------------------------------------------- helpers


def pct(sorted_vals, p):
    if not sorted_vals:
        return None
    k = min(len(sorted_vals) - 1, max(0, int(round(p / 100.0 * (len(sorted_vals) - 1)))))
    return sorted_vals[k]


def summarize_ms(vals):
    if not vals:
        return None
    s = sorted(vals)
    r = {f"p{p}": round(pct(s, p) * 1000, 2) for p in (50, 95, 99)}
    r["max"] = round(s[-1] * 1000, 2)
    r["mean"] = round(sum(s) / len(s) * 1000, 2)
    r["n"] = len(s)
    return r


CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return int(parts[11]) + int(parts[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return None


def proc_rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# ----------------------------------------------------------------------------- run


async def run(args):
    hooks = load_hooks(args)
    template = json.loads(args.template)
    urls = args.url
    R, N, S = args.rooms, args.clients, args.senders
    if S * R > N:
        sys.exit(f"senders*rooms ({S * R}) > clients ({N})")
    prefix = args.room_prefix if args.room_prefix is not None else secrets.token_hex(3) + "-"
    room_names = [f"{prefix}{r}" for r in range(R)]
    headers = []
    for h in args.header:
        k, _, v = h.partition(":")
        headers.append((k.strip(), v.strip()))
    if args.cookie:
        headers.append(("Cookie", args.cookie))

    conns = [None] * N  # websocket per client
    if args.balance_senders:
        # rotate by room so that room r's first member (its sender) sits on server r % len(urls):
        # posts (receive + group_send) are spread evenly over the servers,
        # members still split evenly
        url_idx = [((i // R) + (i % R)) % len(urls) for i in range(N)]
    else:
        url_idx = [(i // R) % len(urls) for i in range(N)]
    room_of = [i % R for i in range(N)]
    errors = []
    connect_times = []
    sem = asyncio.Semaphore(args.connect_concurrency)

    async def open_one(i):
        room = room_names[room_of[i]]
        url = hooks.url_for(urls[url_idx[i]], room, i)
        async with sem:
            t0 = time.perf_counter()
            try:
                ws = await connect(
                    url,
                    additional_headers=headers or None,
                    compression="deflate" if args.compression else None,
                    open_timeout=args.connect_timeout,
                    ping_interval=None,
                    close_timeout=2,
                    max_queue=None,
                    max_size=2**22,
                )
                await hooks.on_connect(ws, i, room)
            except Exception as e:  # noqa: BLE001
                errors.append(f"connect[{i}]: {type(e).__name__}: {e}"[:200])
                return
            connect_times.append(time.perf_counter() - t0)
            conns[i] = ws

    t_conn0 = time.perf_counter()
    await asyncio.gather(*(open_one(i) for i in range(N)))
    connect_s = time.perf_counter() - t_conn0
    connected = [i for i in range(N) if conns[i] is not None]
    members = [0] * R
    for i in connected:
        members[room_of[i]] += 1

    # --- bookkeeping
    sent = {}  # id -> [intended, actual, room, sender_url_idx, measured, count, sender]
    lat, lat_sched, lat_local, lat_cross = [], [], [], []
    send_lag = []
    stats = {"unknown": 0, "dup": 0, "late_or_warm": 0, "disconnects": 0, "order": 0}
    t_end_holder = {}

    async def reader(i):
        ws = conns[i]
        my_url = url_idx[i]
        extract = hooks.extract_id
        last_from = {}  # sender -> highest id seen (ids increase per sender)
        try:
            async for raw in ws:
                now = time.time()
                r = extract(raw)
                if r is None:
                    continue
                mid = r[0]
                info = sent.get(mid)
                if info is None and isinstance(mid, str) and mid.isdigit():
                    mid = int(mid)
                    info = sent.get(mid)
                if info is None:
                    stats["unknown"] += 1
                    continue
                if mid < last_from.get(info[6], -1):
                    stats["order"] += 1
                else:
                    last_from[info[6]] = mid
                info[5] += 1
                if info[5] > members[info[2]]:
                    stats["dup"] += 1
                    continue
                if not info[4]:
                    stats["late_or_warm"] += 1
                    continue
                d = now - info[1]
                lat.append(d)
                lat_sched.append(now - info[0])
                if len(urls) > 1:
                    (lat_local if info[3] == my_url else lat_cross).append(d)
        except websockets.ConnectionClosed as e:
            if not t_end_holder.get("closing"):
                stats["disconnects"] += 1
                errors.append(f"closed[{i}]: {e}"[:200])
        except Exception as e:  # noqa: BLE001
            errors.append(f"reader[{i}]: {type(e).__name__}: {e}"[:200])

    readers = [asyncio.create_task(reader(i)) for i in connected]

    # senders: first S members of each room that are connected
    senders = []
    for r in range(R):
        room_members = [i for i in connected if room_of[i] == r]
        senders.extend(room_members[:S])
    n_senders = len(senders)
    seq = iter(range(1, 1 << 62))

    await asyncio.sleep(args.settle)
    t0 = time.time() + 0.2
    if args.start_at and args.start_at > t0:
        # several load generators started together begin their send schedule at the same instant
        t0 = args.start_at
    t_warm = t0 + args.warmup
    t_end = t0 + args.duration
    interval = n_senders / args.rate if args.rate > 0 else None

    async def sender(k, i):
        ws = conns[i]
        r = room_of[i]
        room = room_names[r]
        nxt = t0 + k / args.rate
        while nxt < t_end:
            delay = nxt - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            mid = next(seq)
            now = time.time()
            msg = hooks.make_message(template, mid, now, room, i)
            sent[mid] = [nxt, now, r, url_idx[i], nxt >= t_warm, 0, i]
            if nxt >= t_warm:
                send_lag.append(now - nxt)
            try:
                await ws.send(msg)
            except websockets.ConnectionClosed:
                return
            nxt += interval

    # event loop lag monitor + CPU accounting for the measured window
    loop_lag = []

    async def lag_monitor():
        while time.time() < t_end:
            a = time.perf_counter()
            await asyncio.sleep(0.01)
            if time.time() >= t_warm:
                loop_lag.append(time.perf_counter() - a - 0.01)

    watch = {}
    for w in args.watch_pid:
        name, _, pid = w.partition("=")
        watch[name] = int(pid)

    rss = {}

    async def cpu_window():
        await asyncio.sleep(max(0, t_warm - time.time()))
        ru0 = resource.getrusage(resource.RUSAGE_SELF)
        p0 = {n: proc_cpu_ticks(p) for n, p in watch.items()}
        w0 = time.time()
        await asyncio.sleep(max(0, t_end - time.time()))
        ru1 = resource.getrusage(resource.RUSAGE_SELF)
        p1 = {n: proc_cpu_ticks(p) for n, p in watch.items()}
        wall = time.time() - w0
        res = {
            "loadgen": round(
                100 * ((ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)) / wall, 1
            )
        }
        for n in watch:
            if p0[n] is not None and p1[n] is not None:
                res[n] = round(100 * (p1[n] - p0[n]) / CLK_TCK / wall, 1)
        rss["loadgen"] = proc_rss_mb(os.getpid())
        for n, p in watch.items():
            rss[n] = proc_rss_mb(p)
        return res

    cpu_task = asyncio.create_task(cpu_window())
    mon = asyncio.create_task(lag_monitor())
    if interval:
        await asyncio.gather(*(sender(k, i) for k, i in enumerate(senders)))
    cpu = await cpu_task
    await mon
    t_last_send = time.time()

    # drain: wait until every measured message reached every member, or timeout
    measured = [v for v in sent.values() if v[4]]
    expected = sum(members[v[2]] for v in measured)
    deadline = time.time() + args.drain
    while time.time() < deadline:
        if len(lat) >= expected:
            break
        await asyncio.sleep(0.05)
    drain_s = time.time() - t_last_send

    t_end_holder["closing"] = True
    await asyncio.wait([asyncio.create_task(conns[i].close()) for i in connected], timeout=10)
    for t in readers:
        t.cancel()

    window = args.duration - args.warmup
    delivered = len(lat)
    res = {
        "label": args.label,
        "urls": urls,
        "clients": N,
        "connected": len(connected),
        "rooms": R,
        "senders_per_room": S,
        "room_size": round(len(connected) / R, 2),
        "rate_target": args.rate,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "t0": round(t0, 3),
        "payload_bytes": args.payload_bytes,
        "connect_s": round(connect_s, 2),
        "connect_ms": summarize_ms(connect_times),
        "sent_total": len(sent),
        "sent_measured": len(measured),
        "achieved_msgs_per_s": round(len(measured) / window, 1),
        "expected_deliveries": expected,
        "delivered": delivered,
        "delivery_ratio": round(delivered / expected, 5) if expected else None,
        "lost": expected - delivered,
        "duplicates": stats["dup"],
        "unknown_frames": stats["unknown"],
        "order_violations": stats["order"],
        "deliveries_per_s": round(delivered / window, 1),
        "lat_ms": summarize_ms(lat),
        "lat_from_schedule_ms": summarize_ms(lat_sched),
        "send_lag_ms": summarize_ms(send_lag),
        "loop_lag_ms": summarize_ms(loop_lag),
        "cpu_pct": cpu,
        "rss_mb_at_end": rss,
        "drain_s": round(drain_s, 2),
        "disconnects": stats["disconnects"],
        "errors": len(errors),
        "first_errors": errors[:5],
        "env": {
            "python": platform.python_version(),
            "websockets": websockets.__version__,
            "uvloop": args.uvloop,
            "cores": os.cpu_count(),
        },
    }
    if len(urls) > 1:
        res["lat_local_ms"] = summarize_ms(lat_local)
        res["lat_cross_ms"] = summarize_ms(lat_cross)
    ok_p99 = res["lat_ms"] and res["lat_ms"]["p99"] <= args.slo_p99_ms
    res["slo_p99_ms"] = args.slo_p99_ms
    res["within_slo"] = bool(ok_p99 and res["lost"] == 0 and len(connected) == N)
    return res


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--url",
        action="append",
        required=True,
        help="URL pattern with {room} (and optionally {client}); repeat to spread clients",
    )
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--rooms", type=int, default=20)
    p.add_argument("--senders", type=int, default=1, help="senders per room")
    p.add_argument("--rate", type=float, default=200, help="total messages/s over all senders")
    p.add_argument("--duration", type=float, default=12, help="send window incl. warmup (s)")
    p.add_argument("--warmup", type=float, default=2, help="first seconds excluded from stats")
    p.add_argument("--drain", type=float, default=5, help="max wait for in-flight deliveries (s)")
    p.add_argument("--settle", type=float, default=0.5, help="pause after all clients connected")
    p.add_argument(
        "--template",
        default='{"type": "chat", "body": "hello"}',
        help="JSON object; default hooks add id/ts/room fields",
    )
    p.add_argument("--payload-bytes", type=int, default=0, help="pad body to N chars")
    p.add_argument("--id-field", default="id")
    p.add_argument("--ts-field", default="ts")
    p.add_argument(
        "--hooks", help="module path or .py file with make_message/extract_id/on_connect/url_for"
    )
    p.add_argument("--header", action="append", default=[], help="'Name: value' (repeatable)")
    p.add_argument("--cookie", help="Cookie header value, e.g. 'sessionid=abc'")
    p.add_argument("--room-prefix", help="room name prefix (default: random per run)")
    p.add_argument(
        "--start-at",
        type=float,
        default=None,
        help="unix time at which the send schedule starts (if later than 'connected + settle'); "
        "lets several load generators share one measurement window",
    )
    p.add_argument(
        "--balance-senders",
        action="store_true",
        help="with several --url: put room r's sender on url r %% len(urls) (default: all senders "
        "on the first url)",
    )
    p.add_argument("--connect-concurrency", type=int, default=50)
    p.add_argument("--connect-timeout", type=float, default=30)
    p.add_argument("--compression", action="store_true", help="offer permessage-deflate")
    p.add_argument("--watch-pid", action="append", default=[], help="name=PID, report its CPU%%")
    p.add_argument("--slo-p99-ms", type=float, default=250)
    p.add_argument("--label", default="")
    p.add_argument("--out", help="also append the JSON line to this file")
    p.add_argument("--no-uvloop", dest="uvloop", action="store_false")
    args = p.parse_args()
    raise_nofile()
    if args.uvloop:
        try:
            import uvloop

            res = uvloop.run(run(args))
        except ImportError:
            args.uvloop = False
            res = asyncio.run(run(args))
    else:
        res = asyncio.run(run(args))
    line = json.dumps(res)
    print(line, flush=True)
    if args.out:
        with open(args.out, "a") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
