"""Soak: does a Daphne process's memory level off under endless connect / post / leave cycles?

    python bench/soak.py [--cycles 20000] [--workers 40] [--rooms 20] [--table]

Starts its own Daphne process (as bench/idle_sockets.py does) on the PostgreSQL database of
DATABASE_URL (default consult_cluster; created and migrated if missing) and the Redis of
REDIS_URL. --workers clients loop, each cycle: open its room socket, wait for `room.joined`,
on every other cycle post one message and wait for its ack, close. The server's RSS is read
after each quarter of --cycles; growth after the first quarter is what a leak would show
(the first quarter warms caches, pools and the allocator's arenas). Prints one JSON line (and
a table with --table). Bounded: stops after --budget seconds whatever it reached.
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import orjson
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from idle_sockets import DEFAULT_DATABASE_URL, PORT, Server  # noqa: E402
from stats import rss_mb, summary_ms  # noqa: E402

from deploy.run_cluster import ensure_database, raise_file_limit  # noqa: E402


async def cycle(data, i, n, post):
    room = data["rooms"][i % len(data["rooms"])]
    headers = {"Cookie": f"{data['cookie_name']}={data['cookies'][i]}"}
    async with websockets.connect(
        f"ws://127.0.0.1:{PORT}/ws/cases/{room}/",
        origin=f"http://127.0.0.1:{PORT}",
        additional_headers=headers,
        ping_interval=None,
        max_queue=None,
        open_timeout=30,
        close_timeout=5,
        compression=None,
    ) as ws:
        while orjson.loads(await ws.recv())["type"] != "room.joined":
            pass
        if post:
            client_id = f"soak-{i}-{n}"
            await ws.send(
                orjson.dumps(
                    {"type": "message.send", "client_id": client_id, "body": "soak check in"}
                ).decode()
            )
            while True:
                frame = orjson.loads(await ws.recv())
                if frame["type"] in ("message.ack", "error"):
                    return frame["type"] == "message.ack"
    return True


async def soak(args, data, server):
    marks = [args.cycles * q // 4 for q in (1, 2, 3, 4)]
    done, failures, rss, durations = 0, 0, {}, []
    started = time.monotonic()

    async def worker(i):
        nonlocal done, failures
        n = 0
        while done < args.cycles and time.monotonic() - started < args.budget:
            t0 = time.monotonic()
            try:
                ok = await cycle(data, i, n, post=n % 2 == 1)
            except (TimeoutError, OSError, websockets.WebSocketException):
                ok = False
            durations.append(time.monotonic() - t0)
            failures += not ok
            done += 1
            n += 1
            for mark in marks:
                if done == mark:
                    rss[mark] = rss_mb(server.pid)

    await asyncio.gather(*(worker(i) for i in range(args.workers)))
    first = rss.get(marks[0])
    return {
        "cycles": done,
        "failures": failures,
        "seconds": round(time.monotonic() - started, 1),
        "rss_mb": {str(k): v for k, v in sorted(rss.items())},
        "growth_after_first_quarter_pct": round(100 * (rss[marks[-1]] - first) / first, 2)
        if first and marks[-1] in rss
        else None,
        "cycle_ms": summary_ms(durations),
        "load_avg": os.getloadavg(),
    }


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--cycles", type=int, default=20000)
    p.add_argument("--workers", type=int, default=40)
    p.add_argument(
        "--rooms",
        type=int,
        default=20,
        help="at most --workers: each room is opened by one of them",
    )
    p.add_argument("--budget", type=float, default=1800, help="stop after this many seconds")
    p.add_argument("--table", action="store_true")
    args = p.parse_args()
    raise_file_limit()
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "PYTHONUNBUFFERED": "1",
        "HTTPS": "0",
    }
    ensure_database(env["DATABASE_URL"])
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    (ROOT / "var").mkdir(exist_ok=True)
    data_path = ROOT / "var" / f"soak-{args.workers}-{args.rooms}.json"
    subprocess.run(
        [
            sys.executable,
            "bench/setup_load.py",
            "--clients",
            str(args.workers),
            "--rooms",
            str(args.rooms),
            "--out",
            str(data_path),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    data = json.loads(data_path.read_text())
    server = Server(env, ROOT / "var" / "soak-daphne.log")
    try:
        result = asyncio.run(soak(args, data, server))
    finally:
        server.stop()
    print(json.dumps(result), flush=True)
    if args.table:
        for mark, mb in result["rss_mb"].items():
            print(f"  after {int(mark):>6} cycles  RSS {mb} MB", file=sys.stderr)
        print(
            f"  growth after the first quarter: {result['growth_after_first_quarter_pct']} %  "
            f"({result['failures']} failed cycles of {result['cycles']} in {result['seconds']} s)",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
