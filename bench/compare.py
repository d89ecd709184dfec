"""Consult against the stock Channels baseline, minutes apart on the same machine and Redis.

    python bench/compare.py                                   # 200 clients / 20 rooms / 200 msg/s
    python bench/compare.py --clients 1000 --rooms 100 --rate 500
    python bench/compare.py --clients 1000 --rooms 100 --search 200,300,400,500,600,800

For each rate:
1. Consult: `make run-cluster`'s stack (deploy/run_cluster.py: nginx + 2 Daphne processes +
   scheduler on PostgreSQL consult_cluster and Redis), started here unless --use-running;
   bench/setup_load.py signs the clients in; bench/load.py runs through nginx's two pinned
   ports (or, with --direct, straight to the two Daphne ports as the baseline's clients do),
   so rooms are split over the two processes. Persistence, audit and the
   de-identification guard are all on: it is the real service.
2. The baseline: bench/baseline_app (a bare AsyncJsonWebsocketConsumer that re-broadcasts to
   its group; no database, no auth) on the same number of Daphne processes (or
   --baseline-processes) with channels-redis defaults (but a 2,000-connection Redis pool, as
   Consult's), driven by bench/stock_loadgen.py with the same clients, rooms, one sender per
   room and the same rate.
Prints one JSON line per run, then a table with Consult's figures as ratios to the baseline,
and with --search the highest rate each keeps within p99 <= --slo-p99-ms with nothing lost.
Every process it starts is stopped before it exits; each run is bounded by its duration.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.run_cluster import Cluster, answers, raise_file_limit  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from housekeeping import AutovacuumStandIn  # noqa: E402
from stats import cpu_seconds_by_command  # noqa: E402

BASELINE_PORT = 8201
CLUSTER_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/consult_cluster"


class Baseline:
    """N Daphne processes serving bench/baseline_app with channels-redis defaults."""

    def __init__(self, processes, redis_url, workdir):
        self.ports = [BASELINE_PORT + i for i in range(processes)]
        # channels-redis defaults (capacity 100, msgpack, one message per member), except the
        # Redis pool: redis-py's 100 connections refuse most of a 1,000-client connect burst
        # with HTTP 500, which would measure the handshake trap instead of the fan-out.
        # Consult's pool is sized the same (REDIS_MAX_CONNECTIONS=2000).
        self.env = {
            **os.environ,
            "PERF_LAYER": "redis",
            "PERF_REDIS_URL": redis_url,
            "PERF_REDIS_MAX_CONN": "2000",
            "DJANGO_SETTINGS_MODULE": "baseline.settings",
            "PYTHONUNBUFFERED": "1",
        }
        self.workdir = workdir
        self.processes = []

    def __enter__(self):
        self.workdir.mkdir(parents=True, exist_ok=True)
        for port in self.ports:
            log = open(self.workdir / f"baseline-{port}.log", "w")
            self.processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "daphne",
                        "-e",
                        f"tcp:port={port}:interface=127.0.0.1:backlog=4096",
                        "baseline.asgi:application",
                    ],
                    cwd=ROOT / "bench" / "baseline_app",
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 30
        while not all(answers(p) for p in self.ports):
            if time.monotonic() > deadline:
                raise RuntimeError("baseline Daphne did not start")
            time.sleep(0.1)
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=10)

    def pids(self):
        return {f"daphne-{i}": p.pid for i, p in enumerate(self.processes)}


class ServiceCpu:
    """CPU of the shared services (all PostgreSQL backends, Redis), sampled in the background so
    that each run's measured window can be cut out afterwards: the load generators only watch
    the Daphne processes, and a post's database work belongs in Consult's cost."""

    SERVICES = {"postgres": "postgres", "redis": "redis-server"}

    def __init__(self, interval=0.25):
        self.interval = interval
        self.samples = []  # (time, {service: {pid: cpu seconds}})
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()

    def _sample(self):
        while not self.stopped.is_set():
            by_command = cpu_seconds_by_command(set(self.SERVICES.values()))
            self.samples.append(
                (
                    time.time(),
                    {name: by_command[command] for name, command in self.SERVICES.items()},
                )
            )
            self.stopped.wait(self.interval)

    def add_to(self, result):
        """Adds the services' CPU % over result's measured window to result["cpu_pct"]."""
        if "t0" not in result:
            return result
        start, end = result["t0"] + result["warmup_s"], result["t0"] + result["duration_s"]
        deadline = time.time() + 4 * self.interval
        while (not self.samples or self.samples[-1][0] < end) and time.time() < deadline:
            time.sleep(
                self.interval / 4
            )  # a run that drained at once may end before the next sample
        before = [s for s in self.samples if s[0] <= start]
        after = [s for s in self.samples if s[0] >= end]
        if not before or not after:
            return result
        (t_a, a), (t_b, b) = before[-1], after[0]
        for name in self.SERVICES:
            used = sum(cpu - a[name].get(pid, 0.0) for pid, cpu in b[name].items())
            result["cpu_pct"][name] = round(100 * used / (t_b - t_a), 1)
        return result


def run_json(argv, timeout):
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{argv[2]} printed no result: {out.stderr[-2000:]}")
    return json.loads(lines[-1])


def consult_run(args, cluster, rate, data):
    if args.direct:
        urls = [f"http://127.0.0.1:{port}" for port in cluster.daphne_ports]
    else:
        urls = [cluster.pinned_url(i) for i in range(args.processes)]
    pids = json.loads((cluster.workdir / "pids.json").read_text())
    argv = [
        sys.executable,
        "bench/without_gc.py",
        "bench/load.py",
        "--data",
        data,
        "--clients",
        str(args.clients),
        "--rooms",
        str(args.rooms),
        "--rate",
        str(rate),
        "--duration",
        str(args.duration),
        "--warmup",
        str(args.warmup),
        "--drain",
        str(args.drain),
        "--slo-p99-ms",
        str(args.slo_p99_ms),
        "--senders-per-room",
        str(args.senders_per_room),
        "--label",
        f"consult@{rate}",
        "--pids-file",
        "/dev/null",
    ]
    for url in urls:
        argv += ["--url", url]
    for name, pid in pids.items():
        argv += ["--pid", f"{name}={pid}"]
    return run_json(argv, timeout=args.duration + args.drain + 400)


def baseline_run(args, baseline, rate):
    argv = [
        sys.executable,
        "bench/without_gc.py",
        "bench/stock_loadgen.py",
        "--clients",
        str(args.clients),
        "--rooms",
        str(args.rooms),
        "--senders",
        "1",
        "--rate",
        str(rate),
        "--duration",
        str(args.duration),
        "--warmup",
        str(args.warmup),
        "--drain",
        str(args.drain),
        "--slo-p99-ms",
        str(args.slo_p99_ms),
        "--label",
        f"baseline@{rate}",
        "--connect-concurrency",
        "100",
        "--balance-senders",
        "--no-uvloop",
    ]
    for port in baseline.ports:
        argv += ["--url", f"ws://127.0.0.1:{port}/ws/room/{{room}}/"]
    for name, pid in baseline.pids().items():
        argv += ["--watch-pid", f"{name}={pid}"]
    result = run_json(argv, timeout=args.duration + args.drain + 400)
    result["system"] = "baseline"
    result["load_avg"] = os.getloadavg()
    return result


def server_cpu(result, services=False):
    """Summed CPU % of the server processes (not the load generator); with services, of
    PostgreSQL and Redis too."""
    shared = set(ServiceCpu.SERVICES)
    return sum(
        v
        for k, v in (result.get("cpu_pct") or {}).items()
        if k != "loadgen" and (k not in shared or services)
    )


def figures(result):
    lat = result.get("lat_ms") or {}
    deliveries = result.get("deliveries_per_s") or 0
    cpu, cpu_all = server_cpu(result), server_cpu(result, services=True)
    return {
        "delivered %": round(100 * (result.get("delivery_ratio") or 0), 2),
        "lost": result.get("lost"),
        "duplicates": result.get("duplicates"),
        "out of order": result.get("order_violations"),
        "deliveries/s": deliveries,
        "p50 ms": lat.get("p50"),
        "p99 ms": lat.get("p99"),
        "max ms": lat.get("max"),
        "server CPU %": round(cpu, 1),
        "CPU µs/delivery": round(cpu / 100 / deliveries * 1e6, 1) if deliveries else None,
        "+PG+Redis CPU %": round(cpu_all, 1),
        "+PG+Redis µs/dlv": round(cpu_all / 100 / deliveries * 1e6, 1) if deliveries else None,
        "within SLO": result.get("within_slo"),
    }


def print_comparison(pairs):
    for rate, consult, baseline in pairs:
        ours, theirs = figures(consult), figures(baseline)
        print(
            f"\n{consult['clients']} clients / {consult['rooms']} rooms / {rate} msg/s "
            f"(load average {consult['load_avg'][0]:.2f} / {baseline['load_avg'][0]:.2f})"
        )
        print(f"  {'':<18}{'Consult':>12}{'baseline':>12}{'ratio':>10}")
        for name in ours:
            a, b = ours[name], theirs[name]
            ratio = (
                f"{a / b:.2f}x"
                if isinstance(a, (int, float))
                and isinstance(b, (int, float))
                and not isinstance(a, bool)
                and b
                else ""
            )
            print(f"  {name:<18}{str(a):>12}{str(b):>12}{ratio:>10}")


def ceiling(results):
    ok = [r["rate_target"] for r in results if r.get("within_slo")]
    return max(ok) if ok else None


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--rooms", type=int, default=20)
    p.add_argument("--rate", type=float, default=200)
    p.add_argument("--search", help="comma-separated rates: find each system's ceiling")
    p.add_argument(
        "--senders-per-room",
        type=int,
        default=1,
        help="Consult's posting members per room (the baseline's load generator has one)",
    )
    p.add_argument("--duration", type=float, default=12)
    p.add_argument("--warmup", type=float, default=2)
    p.add_argument("--drain", type=float, default=5)
    p.add_argument(
        "--processes", type=int, default=2, help="Daphne processes for Consult (and the baseline)"
    )
    p.add_argument(
        "--baseline-processes",
        type=int,
        help="Daphne processes for the baseline, if not --processes (the brief's figures: 1)",
    )
    p.add_argument("--slo-p99-ms", type=float, default=100)
    p.add_argument(
        "--use-running", action="store_true", help="use a `make run-cluster` already on :8080"
    )
    p.add_argument(
        "--direct",
        action="store_true",
        help="Consult's clients connect to the cluster's Daphne ports, not through nginx "
        "(as the baseline's do)",
    )
    p.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    p.add_argument("--out", help="append every JSON line to this file")
    p.add_argument("--consult-only", action="store_true", help="measure only Consult (no baseline)")
    p.add_argument(
        "--consult-tree",
        help="run Consult's stack from this other checkout (e.g. the commit before a change; "
        "bench/before_after.py uses it)",
    )
    p.add_argument(
        "--baseline-only",
        action="store_true",
        help="measure only the baseline (at --rate or --search)",
    )
    args = p.parse_args()
    raise_file_limit()
    rates = [float(r) for r in args.search.split(",")] if args.search else [args.rate]
    workdir = ROOT / "var" / "compare"
    data = str(workdir / f"load-{args.clients}-{args.rooms}.json")
    with ServiceCpu() as services:
        if args.baseline_only:
            baseline_search(args, rates, workdir, services)
        else:
            compare(args, rates, workdir, data, services)


def compare(args, rates, workdir, data, services):
    consult_results = []
    cluster_class = Cluster if not args.consult_tree else cluster_of(Path(args.consult_tree))
    cluster = cluster_class(
        daphnes=args.processes,
        workdir=ROOT / "var" / "cluster",
        env={
            "DATABASE_URL": os.environ.get("DATABASE_URL", CLUSTER_DATABASE_URL),
            "REDIS_URL": args.redis_url,
            # One socket sends for a whole room here (10 msg/s at 200 msg/s over 20
            # rooms), at a person's flood limit: the limit is not what is measured.
            "WS_FRAMES_PER_SECOND": "1000",
            "WS_FRAME_BURST": "1000",
        },
    )
    if not args.use_running:
        cluster.prepare(seed=False)
        cluster.start()
    try:
        subprocess.run(
            [
                sys.executable,
                "bench/setup_load.py",
                "--clients",
                str(args.clients),
                "--rooms",
                str(args.rooms),
                "--out",
                data,
            ],
            cwd=ROOT,
            env=cluster.env,
            check=True,
        )
        with AutovacuumStandIn(
            cluster.env.get("DATABASE_OWNER_URL") or cluster.env["DATABASE_URL"]
        ):
            for rate in rates:
                consult_results.append(
                    emit(services.add_to(consult_run(args, cluster, rate, data)), args.out)
                )
    finally:
        cluster.stop()
    if args.consult_only:
        if args.search:
            print(
                f"\nConsult ceiling (p99 <= {args.slo_p99_ms} ms, nothing lost): "
                f"{ceiling(consult_results)} msg/s"
            )
        return

    baseline_results = []
    # The baseline's own Redis database, so its groups never meet a Consult run's.
    processes = args.baseline_processes or args.processes
    with Baseline(processes, args.redis_url.rsplit("/", 1)[0] + "/3", workdir) as baseline:
        for rate in rates:
            baseline_results.append(
                emit(services.add_to(baseline_run(args, baseline, rate)), args.out)
            )

    print_comparison(list(zip(rates, consult_results, baseline_results, strict=True)))
    if args.search:
        ours, theirs = ceiling(consult_results), ceiling(baseline_results)
        ratio = f"{ours / theirs:.2f}x" if ours and theirs else "n/a"
        print(
            f"\nceiling (p99 <= {args.slo_p99_ms} ms, nothing lost): Consult {ours} msg/s, "
            f"baseline {theirs} msg/s, ratio {ratio}"
        )


def cluster_of(tree):
    """The Cluster class of another checkout: its processes run that checkout's code."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "other_run_cluster", tree / "deploy" / "run_cluster.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Cluster


def baseline_search(args, rates, workdir, services):
    processes = args.baseline_processes or args.processes
    with Baseline(processes, args.redis_url.rsplit("/", 1)[0] + "/3", workdir) as baseline:
        results = [
            emit(services.add_to(baseline_run(args, baseline, rate)), args.out) for rate in rates
        ]
    for result in results:
        print(
            f"baseline ({processes} process(es)) {result['rate_target']} msg/s: lost "
            f"{result['lost']}, p99 {(result['lat_ms'] or {}).get('p99')} ms, within SLO "
            f"{result['within_slo']}"
        )
    print(f"baseline ceiling: {ceiling(results)} msg/s")


def emit(result, out):
    line = json.dumps(result)
    print(line, flush=True)
    if out:
        with open(out, "a") as f:
            f.write(line + "\n")
    return result


if __name__ == "__main__":
    main()
