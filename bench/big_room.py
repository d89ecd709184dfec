"""A large room: is it delivered on time, and does fan-out cost per member stay flat with size?

    python bench/big_room.py [--members 100,200,300] [--rate 20] [--senders 10] [--runs 1]

For each room size, runs bench/compare.py --consult-only (nginx + 2 Daphne + the scheduler;
persistence, audit and the de-identification guard on; members split over both processes, so
every message crosses processes) with ONE room of that many members, --senders of them posting
--rate messages/s in all. Prints, per size: loss, duplicates, p50/p99 delivery latency, and the
server processes' CPU per delivery (µs), which is the fan-out cost per member: flat or falling
as the room grows means a member costs the same in a room of 300 as in a room of 100. The
largest size runs --runs times; the verdict is its 0 lost, 0 duplicated, p99 <= 100 ms.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from compare import figures  # noqa: E402


def one_room(members, rate, senders, duration):
    out = ROOT / "var" / f"big-room-{members}.jsonl"
    out.unlink(missing_ok=True)
    subprocess.run(
        [
            sys.executable,
            "bench/compare.py",
            "--consult-only",
            "--clients",
            str(members),
            "--rooms",
            "1",
            "--rate",
            str(rate),
            "--senders-per-room",
            str(senders),
            "--duration",
            str(duration),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return json.loads(out.read_text().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--members", default="100,200,300", help="room sizes, the largest last")
    p.add_argument("--rate", type=float, default=20, help="messages/s posted in the room")
    p.add_argument("--senders", type=int, default=10, help="members of the room who post")
    p.add_argument("--duration", type=float, default=30, help="seconds of posting per run")
    p.add_argument("--runs", type=int, default=1, help="runs of the largest size")
    args = p.parse_args()
    sizes = [int(n) for n in args.members.split(",")]
    rows = [(size, one_room(size, args.rate, args.senders, args.duration)) for size in sizes[:-1]]
    rows += [
        (sizes[-1], one_room(sizes[-1], args.rate, args.senders, args.duration))
        for _ in range(args.runs)
    ]
    print(f"one room, {args.senders} members posting {args.rate:g} msg/s in all:")
    print(
        f"  {'members':>8}{'deliveries/s':>14}{'lost':>6}{'dups':>6}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'CPU µs/delivery':>17}{'load':>7}"
    )
    for size, result in rows:
        f = figures(result)
        print(
            f"  {size:>8}{f['deliveries/s']!s:>14}{f['lost']!s:>6}{f['duplicates']!s:>6}"
            f"{f['p50 ms']!s:>8}{f['p99 ms']!s:>8}{f['CPU µs/delivery']!s:>17}"
            f"{result['load_avg'][0]:>7.2f}"
        )
    largest = [r for size, r in rows if size == sizes[-1]]
    held = [
        bool(r["within_slo"]) and not r.get("lost") and not r.get("duplicates") for r in largest
    ]
    print(
        f"{sizes[-1]} members at {args.rate:g} msg/s: {sum(held)}/{len(held)} runs with 0 lost, "
        f"0 duplicated, p99 <= 100 ms"
    )
    sys.exit(0 if all(held) else 1)


if __name__ == "__main__":
    main()
