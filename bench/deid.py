"""Benchmark the de-identification scanner: time per message at 200 B, 1 KiB and 4 KiB.

    python bench/deid.py [--iterations N] [--corpus PATH]

Messages are slices of the dev corpus texts joined end to end, so they hold the same mix of
identifiers and clinical prose the guard sees. Prints a table and one JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from consult.deid.scanner import scan  # noqa: E402

SIZES = (("200B", 200), ("1KiB", 1024), ("4KiB", 4096))
DEFAULT_CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "deid", "dev.jsonl")
_FALLBACK = ("Spoke with her brother Kelli Fuller at (242) 967-3689 about means restriction. "
             "DOB 03/05/1979, seen weekly since April 2025. She lives at 44429 Rose Park # 7B. "
             "Started sertraline 50 mg through her PCP; PHQ-9 was 19 and GAD-7 was 14. ")


def load_text(path: str) -> str:
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return "\n".join(json.loads(line)["text"] for line in f if line.strip())
    return _FALLBACK * 200


def messages(blob: str, size: int, count: int) -> list[str]:
    step = max(1, (len(blob) - size) // count)
    return [blob[i * step:i * step + size] for i in range(count)]


def bench(msgs: list[str], iterations: int) -> dict:
    for m in msgs[:50]:
        scan(m)  # warm up
    times = []
    n = len(msgs)
    for i in range(iterations):
        m = msgs[i % n]
        t0 = time.perf_counter()
        scan(m)
        times.append(time.perf_counter() - t0)
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * len(times)))] * 1000  # noqa: E731
    return {"p50_ms": round(q(0.50), 4), "p99_ms": round(q(0.99), 4),
            "mean_ms": round(statistics.fmean(times) * 1000, 4), "iterations": iterations}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iterations", type=int, default=5000)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    a = ap.parse_args()
    blob = load_text(a.corpus)
    results = {}
    print(f"{'size':<6} {'p50 ms':>9} {'p99 ms':>9} {'mean ms':>9} {'iters':>7}")
    for label, size in SIZES:
        r = bench(messages(blob, size, 500), a.iterations)
        results[label] = r
        print(f"{label:<6} {r['p50_ms']:>9.4f} {r['p99_ms']:>9.4f} {r['mean_ms']:>9.4f} {r['iterations']:>7}")
    print(json.dumps({"bench": "deid.scan", "results": results}))


if __name__ == "__main__":
    main()
