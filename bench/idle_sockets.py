"""Idle sockets on ONE Daphne process: memory per socket, a connect burst, a reconnect storm.

    python bench/idle_sockets.py [--sockets 5000] [--rooms 500] [--idle 15] [--storm 10]

Starts its own Daphne process (deploy/run_cluster.daphne_command: listen backlog 4096) on the
PostgreSQL database of DATABASE_URL (default consult_cluster) and the Redis of REDIS_URL, signs
--sockets clients in (bench/setup_load.py), then:
1. Burst: every client opens its room socket at the same moment (no client-side limit) and
   waits for `room.joined`. Reports how many got in, the time until the last did, and the
   server's RSS growth per socket (measured against one warm socket).
2. Idle: holds them all for --idle seconds and counts any that the server closed.
3. Storm: every socket drops; while they are away one message is posted in each room (through
   the service, as a sender's socket would); then every client reconnects at a random moment
   within --storm seconds with `?after_seq=<last seq it saw>`. A client passes if its
   room.joined frame backfills exactly the messages posted while it was away, in order.
4. With --restart: the server is SIGTERM'd (every socket closed with 1012) and started again,
   and every client reconnects with the browser's jittered backoff; reports when the last one
   was back, from the SIGTERM and from the new process answering.
Every phase that admits sockets reports the server's CPU per join. Prints one JSON line (and a
table with --table). Stops the server it started; bounded runtime.
"""

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from lean_ws import Closed, HandshakeRefused  # noqa: E402
from lean_ws import connect as lean_connect  # noqa: E402
from stats import cpu_seconds, cpu_ticks, rss_mb, steal_pct, summary_ms  # noqa: E402

from deploy.run_cluster import answers, daphne_command, raise_file_limit  # noqa: E402

PORT = 8301
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/consult_cluster"


class Sockets:
    def __init__(self, data, url, timeout):
        self.data, self.url, self.timeout = data, url, timeout
        self.ws = [None] * len(data["cookies"])
        self.last_seq = [0] * len(data["cookies"])
        self.closed_by_server = 0
        self.retries = 0  # handshakes refused or failed, then tried again

    def room_of(self, i):
        return i % len(self.data["rooms"])

    async def open(self, i, after_seq=None):
        base = urlsplit(self.url)
        path = f"/ws/cases/{self.data['rooms'][self.room_of(i)]}/"
        if after_seq is not None:
            path += f"?after_seq={after_seq}"
        # The load generator shares the two cores with the server: its client is the lean one
        # (bench/lean_ws.py), about half the CPU per socket of the websockets library's.
        ws, first = await lean_connect(
            f"ws://{base.netloc}{path}",
            origin=self.url,
            headers=[("Cookie", f"{self.data['cookie_name']}={self.data['cookies'][i]}")],
            open_seconds=self.timeout,
        )
        joined = orjson.loads(first)
        if joined["type"] != "room.joined":  # e.g. `unavailable`: closed with 4503
            await ws.close()
            raise RuntimeError(f"{joined['type']} {joined.get('code', '')}")
        self.ws[i] = ws
        return joined

    async def open_retrying(self, i, failures, after_seq=None):
        """As the browser: a refused handshake (`unavailable`, 4503: the process is busy) or a
        failed connect is tried again after a jittered backoff, until --connect-timeout."""
        started, attempt = time.perf_counter(), 0
        while True:
            try:
                return await self.open(i, after_seq=after_seq)
            except Exception as error:  # noqa: BLE001 - counted, not fatal
                self.retries += 1
                if time.perf_counter() - started > self.timeout:
                    failures.append(f"{type(error).__name__}: {error}"[:160])
                    return None
            await asyncio.sleep(min(2.0, 0.25 * 2**attempt) * (0.5 + random.random() / 2))
            attempt += 1

    async def burst(self, indexes):
        times, failures = [], []

        async def one(i):
            started = time.perf_counter()
            joined = await self.open_retrying(i, failures)
            if joined is None:
                return
            self.last_seq[i] = joined["last_seq"]
            asyncio.create_task(self.drain(i))
            times.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in indexes))
        return time.perf_counter() - started, times, failures

    async def drain(self, i):
        """Read (and keep the seq of) whatever the room sends, so the socket stays healthy."""
        ws = self.ws[i]

        def on_text(payload):
            frame = orjson.loads(payload)
            if frame["type"] == "message.new":
                self.last_seq[i] = max(self.last_seq[i], frame["message"]["seq"])

        ws.listen(on_text)
        await ws.closed
        if ws is self.ws[i]:
            self.closed_by_server += 1

    async def close_all(self):
        sockets, self.ws = self.ws, [None] * len(self.ws)
        await asyncio.gather(
            *(ws.close() for ws in sockets if ws is not None), return_exceptions=True
        )


def post_one_per_room(env, data):
    """One message in every room, through message_post (persisted, audited, guarded, published)."""
    code = (
        "import json,sys,django;django.setup()\n"
        "from consult.accounts.models import User\n"
        "from consult.cases.services import message_post\n"
        "d=json.load(open(sys.argv[1]));out={}\n"
        "for i,c in enumerate(d['rooms']):\n"
        "    u=User.objects.get(pk=d['users'][i])  # client i is a member of room i's team\n"
        "    r=message_post(actor=u,case_code=c,client_id='storm-'+sys.argv[2],body='posted while "
        "you were away')\n"
        "    out[c]=r.message.seq\n"
        "print(json.dumps(out))\n"
    )
    path = ROOT / "var" / "idle-data.json"
    path.write_text(json.dumps(data))
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), str(int(time.time()))],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "consult.settings"},
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


async def storm(sockets, window, posted):
    """Every client reconnects within `window` s with after_seq; checks its backfill."""
    ok, wrong, failures, times = 0, [], [], []
    rooms = sockets.data["rooms"]

    async def one(i):
        nonlocal ok
        await asyncio.sleep(random.uniform(0, window))
        started = time.perf_counter()
        joined = await sockets.open_retrying(i, failures, after_seq=sockets.last_seq[i])
        if joined is None:
            return
        times.append(time.perf_counter() - started)
        got = [m["seq"] for m in joined["messages"]]
        expected = [posted[rooms[sockets.room_of(i)]]]
        if got == expected:
            ok += 1
        else:
            wrong.append(
                {"client": i, "after_seq": sockets.last_seq[i], "got": got, "expected": expected}
            )

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(len(sockets.ws))))
    return {
        "reconnected": len(times),
        "backfilled_exactly": ok,
        "wrong": len(wrong),
        "first_wrong": wrong[:3],
        "failures": len(failures),
        "first_failures": failures[:3],
        "all_in_s": round(time.perf_counter() - started, 2),
        "connect_ms": summary_ms(times),
    }


async def measure(args, data, server):
    url = f"http://127.0.0.1:{PORT}"
    sockets = Sockets(data, url, timeout=args.connect_timeout)
    n = len(data["cookies"])
    await sockets.burst([0])  # one warm socket: imports, pools and caches are not per-socket costs
    await asyncio.sleep(1)
    rss0, cpu0, ticks0 = rss_mb(server.pid), cpu_seconds(server.pid), cpu_ticks()
    own0 = time.process_time()
    all_in, times, failures = await sockets.burst(range(1, n))
    stolen, own = steal_pct(ticks0, cpu_ticks()), time.process_time() - own0
    await asyncio.sleep(2)
    rss1, cpu1 = rss_mb(server.pid), cpu_seconds(server.pid)
    connected = sum(ws is not None for ws in sockets.ws)
    burst = {
        "sockets": n,
        "connected": connected,
        "failures": len(failures),
        "first_failures": failures[:3],
        "retries": sockets.retries,
        "all_in_s": round(all_in, 2),
        "connect_ms": summary_ms(times),
        "server_rss_mb_before": rss0,
        "server_rss_mb_after": rss1,
        "kb_per_socket": round((rss1 - rss0) * 1024 / max(1, connected - 1), 1),
        "server_cpu_s": round(cpu1 - cpu0, 1),
        # Everything the server process spent while they joined (handshake, session, user, the
        # join's reads and audit event, presence), per socket admitted.
        "server_cpu_ms_per_join": round((cpu1 - cpu0) * 1000 / max(1, connected - 1), 2),
        # The share of the machine's CPU its host gave to other guests meanwhile: joins took
        # longer, and cost more CPU, the more it took (bench/stats.py).
        "stolen_by_host_pct": stolen,
        # This load generator's own CPU meanwhile (one Python process, the clients' side of
        # every handshake): near the burst's length, it and not the server set the pace.
        "client_cpu_s": round(own, 1),
    }

    await asyncio.sleep(args.idle)
    idle = {
        "seconds": args.idle,
        "closed_by_server": sockets.closed_by_server,
        "still_open": sum(ws is not None and not ws.closed.done() for ws in sockets.ws),
    }

    await sockets.close_all()
    await asyncio.sleep(2)
    posted = await asyncio.to_thread(post_one_per_room, server.env, data)
    result = {
        "burst": burst,
        "idle": idle,
        "storm": await storm(sockets, args.storm, posted),
        "server_rss_mb_end": rss_mb(server.pid),
    }
    result["storm"]["window_s"] = args.storm
    if args.restart:
        result["restart"] = await restart(sockets, server)
    result["load_avg"] = os.getloadavg()
    await sockets.close_all()
    return result


async def restart(sockets, server):
    """SIGTERM the server (every socket closed with 1012) and start it again, as systemd would;
    every client reconnects as the browser does (jittered backoff from 0.25 s up to 2 s, with
    after_seq). Times from the SIGTERM and from the new process answering to the last one in."""
    times, failures = [], []
    started, ticks0 = time.perf_counter(), cpu_ticks()
    up = asyncio.ensure_future(asyncio.to_thread(server.restart))

    async def one(i):
        ws = sockets.ws[i]
        if ws is not None:
            await ws.closed
        sockets.ws[i] = None
        attempt = 0
        while time.perf_counter() - started < 120:
            await asyncio.sleep(min(2.0, 0.25 * 2**attempt) * (0.5 + random.random() / 2))
            attempt += 1
            try:
                await sockets.open(i, after_seq=sockets.last_seq[i])
            except (OSError, TimeoutError, Closed, HandshakeRefused, RuntimeError):
                continue
            times.append(time.perf_counter() - started)
            return
        failures.append(i)

    await asyncio.gather(*(one(i) for i in range(len(sockets.ws))))
    await up
    cpu = cpu_seconds(server.pid) - server.cpu_when_answering
    return {
        "reconnected": len(times),
        "failures": len(failures),
        "old_process_gone_after_s": round(server.exited_at - started, 2),
        "new_process_answering_after_s": round(server.answering_at - started, 2),
        "all_in_after_sigterm_s": round(max(times), 2) if times else None,
        "all_in_after_new_process_s": round(max(times) - (server.answering_at - started), 2)
        if times
        else None,
        "server_cpu_ms_per_join": round(cpu * 1000 / max(1, len(times)), 2),
        "stolen_by_host_pct": steal_pct(ticks0, cpu_ticks()),
    }


class Server:
    def __init__(self, env, log_path):
        # Plain http on localhost, and its own pages' origin may open sockets
        # (consult/realtime/origins.py).
        self.env = {**env, "HTTPS": "0", "ALLOWED_ORIGINS": f"http://127.0.0.1:{PORT}"}
        self.log = open(log_path, "w")
        self.start()

    def start(self):
        env = self.env
        self.process = subprocess.Popen(
            daphne_command(PORT, "--websocket_connect_timeout", "300"),
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.pid = self.process.pid
        deadline = time.monotonic() + 30
        while not answers(PORT):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"daphne did not start; see {self.log.name}")
            time.sleep(0.05)
        self.answering_at = time.perf_counter()
        self.cpu_when_answering = cpu_seconds(self.pid)  # its start-up, not its joins

    def restart(self):
        """SIGTERM (Daphne closes every socket with 1012 and exits), then a new process."""
        self.process.terminate()
        self.process.wait(timeout=30)
        self.exited_at = time.perf_counter()
        self.start()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def print_table(result):
    b, i, s = result["burst"], result["idle"], result["storm"]
    rows = [
        (
            "burst",
            f"{b['connected']}/{b['sockets']} in, all in {b['all_in_s']} s, "
            f"p99 {(b['connect_ms'] or {}).get('p99')} ms, {b['failures']} failed "
            f"({b['retries']} handshakes refused and retried); the load generator used "
            f"{b['client_cpu_s']} s of CPU",
        ),
        (
            "memory",
            f"{b['kb_per_socket']} KB per socket (RSS {b['server_rss_mb_before']} → "
            f"{b['server_rss_mb_after']} MB)",
        ),
        (
            "idle",
            f"{i['still_open']} still open after {i['seconds']} s, {i['closed_by_server']} closed "
            f"by server",
        ),
        (
            "storm",
            f"{s['reconnected']} reconnected within {s['window_s']} s (last in at {s['all_in_s']} "
            f"s), {s['backfilled_exactly']} backfilled exactly, {s['wrong']} wrong, "
            f"{s['failures']} failed",
        ),
        ("load average", " ".join(f"{x:.2f}" for x in result["load_avg"])),
    ]
    rows.insert(
        2,
        (
            "join cost",
            f"{b['server_cpu_ms_per_join']} ms of server CPU per join "
            f"({b['stolen_by_host_pct']} % of the CPU stolen by the host meanwhile)",
        ),
    )
    if r := result.get("restart"):
        rows.insert(
            -1,
            (
                "restart",
                f"{r['reconnected']} back, the last {r['all_in_after_sigterm_s']} s after the "
                f"SIGTERM ({r['all_in_after_new_process_s']} s after the new process answered at "
                f"{r['new_process_answering_after_s']} s), {r['server_cpu_ms_per_join']} ms CPU "
                f"per join, {r['failures']} failed, {r['stolen_by_host_pct']} % stolen by the host",
            ),
        )
    for name, value in rows:
        print(f"  {name:<13} {value}", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--sockets", type=int, default=5000)
    p.add_argument("--rooms", type=int, default=500)
    p.add_argument("--idle", type=float, default=15)
    p.add_argument(
        "--storm", type=float, default=10, help="every client reconnects within this many seconds"
    )
    p.add_argument("--connect-timeout", type=float, default=300)
    p.add_argument(
        "--restart", action="store_true", help="then SIGTERM and restart the server: all back?"
    )
    p.add_argument("--table", action="store_true")
    args = p.parse_args()
    raise_file_limit()
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "PYTHONUNBUFFERED": "1",
    }
    data_path = ROOT / "var" / f"idle-{args.sockets}-{args.rooms}.json"
    subprocess.run(
        [
            sys.executable,
            "bench/setup_load.py",
            "--clients",
            str(args.sockets),
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
    (ROOT / "var").mkdir(exist_ok=True)
    server = Server(env, ROOT / "var" / "idle-daphne.log")
    try:
        budget = 2 * args.connect_timeout + args.idle + args.storm + 600
        result = asyncio.run(asyncio.wait_for(measure(args, data, server), timeout=budget))
    finally:
        server.stop()
    print(json.dumps(result), flush=True)
    if args.table:
        print_table(result)


if __name__ == "__main__":
    main()
