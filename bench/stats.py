"""Small measuring helpers shared by the bench scripts: percentiles and /proc readings."""

import os

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def percentile(sorted_values, p):
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def summary_ms(seconds):
    """p50/p95/p99/max/mean in milliseconds of a list of durations in seconds, or None."""
    if not seconds:
        return None
    values = sorted(seconds)
    result = {f"p{p}": round(percentile(values, p) * 1000, 2) for p in (50, 95, 99)}
    result["max"] = round(values[-1] * 1000, 2)
    result["mean"] = round(sum(values) / len(values) * 1000, 2)
    result["n"] = len(values)
    return result


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far (psutil-free), or None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return _stat_cpu_seconds(f.read())
    except (OSError, IndexError, ValueError):
        return None


def _stat_cpu_seconds(stat):
    # /proc/<pid>/stat: the command name is in parentheses and may hold spaces; utime and stime
    # are the 12th and 13th fields after it.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def cpu_seconds_by_command(commands):
    """{command: {pid: CPU seconds so far}} of every process whose command name is in
    `commands` (PostgreSQL runs one backend per connection: its CPU is the sum over them)."""
    result = {command: {} for command in commands}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        if name in result:
            result[name][int(entry)] = _stat_cpu_seconds(text)
    return result


def cpu_ticks():
    """(steal, total) jiffies of all CPUs so far, from /proc/stat: on a virtual machine, steal
    is time the host gave this machine's CPUs to someone else."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    return fields[7] if len(fields) > 7 else 0, sum(fields[:8])


def steal_pct(before, after):
    """The share of CPU time stolen by the host between two cpu_ticks() readings, in %."""
    total = after[1] - before[1]
    return round(100 * (after[0] - before[0]) / total, 1) if total else None
