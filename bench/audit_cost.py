"""What the audit trail costs: message throughput with auditing on, as a ratio to auditing off.

    python bench/audit_cost.py [--batches B] [--batch N] [--threads T]

Self-contained: uses DATABASE_URL, or creates PostgreSQL database `consult_bench_audit` on
127.0.0.1, migrates it, and makes teams, users and cases. Messages are posted through
`message_post` from T threads (one connection each), the way several Daphne workers would, in
two scenarios:
  * spread: T rooms, one writer each (the usual shape: many rooms at once);
  * hot room: all T writers in one room, queueing on its row lock (the worst case: every
    statement inside the lock, the audit append included, lengthens the queue).
"Off" runs the same code with `audit_append` replaced by a no-op. The message.posted append
itself is part of the post's own statement (consult/cases/store.py, consult/audit/sql.py) and is
not skipped: since posts became one statement the two modes differ by the other events only.

The machine this runs on is shared, and its load swings by 2x within seconds. So the modes are
interleaved in B short batches of N messages (on, off, off, on, ...) and the time of each mode
is summed: a burst of someone else's load lands on both modes alike. Prints msgs/s both ways and
the ratio (target: >= 0.8), then one JSON line.
"""

import argparse
import json
import os
import sys
import threading
import time
import uuid
from unittest import mock

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/consult_bench_audit"
BODY = "Benchmark note {} about coping plans and the next check-in"


def ensure_database(url):
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def setup_django():
    if "DATABASE_URL" not in os.environ:
        ensure_database(DEFAULT_URL)
        os.environ["DATABASE_URL"] = DEFAULT_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def make_case():
    from consult.accounts.models import Membership, Role, Team, User
    from consult.cases.services import case_create

    tag = uuid.uuid4().hex[:8]
    team = Team.objects.create(name=f"bench-{tag}")
    users = [User.objects.create_user(f"bench-{tag}-{n}", role=Role.THERAPIST) for n in range(3)]
    for user in users:
        Membership.objects.create(team=team, user=user)
    return users, case_create(actor=users[0], team_id=team.pk, title="Benchmark case")


def poster(users, case, prefix, count, errors):
    from django.db import connections

    from consult.cases.services import message_post

    try:
        for n in range(count):
            message_post(
                actor=users[n % len(users)],
                case_code=case.code,
                client_id=f"{prefix}-{n}",
                body=BODY.format(n),
            )
    except Exception as error:  # noqa: BLE001 - any failure, re-raised in the main thread
        errors.append(error)
    finally:
        connections.close_all()


def batch(rooms, messages, threads, audit):
    """Post one batch from `threads` threads, thread i into room i mod len(rooms).

    Returns (messages posted, seconds)."""
    errors, each, tag = [], messages // threads, uuid.uuid4().hex[:6]
    workers = [
        threading.Thread(target=poster, args=(*rooms[i % len(rooms)], f"{tag}{i}", each, errors))
        for i in range(threads)
    ]
    skip = mock.patch("consult.cases.services.audit_append", lambda **kwargs: None)
    with skip if not audit else _nothing():
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return each * threads, elapsed


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def measure(batches, size, threads, rooms):
    """Interleave on/off batches (ABBA order) and sum each mode's messages and time."""
    cases = {audit: [make_case() for _ in range(rooms)] for audit in (True, False)}
    totals = {True: [0, 0.0], False: [0, 0.0]}
    for n in range(batches):
        order = (True, False) if n % 2 == 0 else (False, True)
        for audit in order:
            posted, seconds = batch(cases[audit], size, threads, audit)
            totals[audit][0] += posted
            totals[audit][1] += seconds
    return {audit: posted / seconds for audit, (posted, seconds) in totals.items()}


def scenario(name, args, rooms):
    rates = measure(args.batches, args.batch, args.threads, rooms)
    ratio = rates[True] / rates[False]
    print(
        f"{name:9}: audit on {rates[True]:6.1f} msgs/s, off {rates[False]:6.1f} msgs/s, ratio "
        f"{ratio:.2f} (target >= 0.80) {'OK' if ratio >= 0.8 else 'BELOW TARGET'}"
    )
    return {
        "on_msgs_per_s": round(rates[True], 1),
        "off_msgs_per_s": round(rates[False], 1),
        "ratio": round(ratio, 3),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch", type=int, default=80, help="messages per batch")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings

    measure(2, args.batch, args.threads, 1)  # warm up: imports, connections, caches
    total = args.batches * (args.batch // args.threads) * args.threads
    layer = "redis" if settings.REDIS_URL else "in-memory"
    print(
        f"{total} messages per mode and scenario, {args.threads} threads, {args.batches} "
        f"interleaved batches, {layer} channel layer"
    )
    result = {
        "bench": "audit_cost",
        "messages_per_mode": total,
        "threads": args.threads,
        "layer": layer,
        "spread": scenario("spread", args, rooms=args.threads),
        "hot_room": scenario("hot room", args, rooms=1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
