"""Consult's throughput ceiling before and after a change, in one run on the same machine.

    python bench/before_after.py --before 83428ef [--rounds 2] [--clients 1000 --rooms 100
        --search 300,400,500,600,700,800]

Checks the --before commit out into var/before-tree (a detached git worktree), then runs
bench/compare.py --consult-only --search once against that tree's stack and once against this
checkout's, alternating for --rounds rounds so that a drift in the machine's load hits both
alike. Prints every round's ceiling (p99 <= 100 ms, nothing lost) with the load average, and
the after/before ratio of the best ceilings.
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CEILING = re.compile(r"Consult ceiling .*?: (\S+) msg/s")


def before_tree(commit):
    tree = ROOT / "var" / "before-tree"
    if tree.exists():
        subprocess.run(
            ["git", "-C", str(tree), "checkout", "-q", "--force", "--detach", commit], check=True
        )
    else:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree), commit],
            check=True,
        )
    return tree


def ceiling(args, tree=None):
    argv = [
        sys.executable,
        "bench/compare.py",
        "--consult-only",
        "--clients",
        str(args.clients),
        "--rooms",
        str(args.rooms),
        "--search",
        args.search,
    ]
    if tree is not None:
        argv += ["--consult-tree", str(tree)]
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    found = CEILING.search(out)
    value = found.group(1) if found else "None"
    return None if value == "None" else float(value)


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--before", required=True, help="the commit before the change")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--rooms", type=int, default=100)
    p.add_argument("--search", default="300,400,500,600,700,800")
    args = p.parse_args()
    tree = before_tree(args.before)
    found = {"before": [], "after": []}
    for round_no in range(1, args.rounds + 1):
        for name, where in (("before", tree), ("after", None)):
            value = ceiling(args, where)
            found[name].append(value)
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            print(
                f"round {round_no} {name:<6} ceiling {value} msg/s  (load average {load})",
                flush=True,
            )
    best = {name: max((v for v in values if v), default=None) for name, values in found.items()}
    if best["before"] and best["after"]:
        print(
            f"after / before: {best['after'] / best['before']:.3f} "
            f"({best['after']} vs {best['before']} msg/s)"
        )


if __name__ == "__main__":
    main()
