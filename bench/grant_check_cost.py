"""What checking a socket's standing on every post costs: message throughput with the check, as a
ratio to the same posts without it.

    python bench/grant_check_cost.py [--batches B] [--batch N] [--threads T]

Every post from a socket checks, in the statement that stores it, that its author is active, has
the role and the open session the socket was opened under (consult/accounts/grants.py). "Off"
runs the same `message_post` with that clause replaced by TRUE in both posting statements (the
one-statement plain post and the locking read), so the difference is the clause alone.

Self-contained like bench/audit_cost.py (whose database and helpers it shares): uses
DATABASE_URL, or PostgreSQL database `consult_bench_audit` on 127.0.0.1. Modes are interleaved
in B short batches (on, off, off, on, ...) so the shared machine's load swings land on both.
Prints msgs/s both ways and the ratio, then one JSON line.
"""

import argparse
import contextlib
import json
import os
import sys
import threading
import time
import uuid
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from audit_cost import make_case, setup_django

BODY = "Benchmark note {} about coping plans and the next check-in"


def signed_in_sessions(users):
    from django.utils import timezone

    from consult.accounts.models import UserSession

    now = timezone.now()
    return {
        user.pk: UserSession.objects.create(
            user=user, session_key=uuid.uuid4().hex, created_at=now, last_seen_at=now
        ).pk
        for user in users
    }


def poster(users, case, sessions, prefix, count, errors):
    from django.db import connections

    from consult.cases.services import message_post

    try:
        for n in range(count):
            author = users[n % len(users)]
            message_post(
                actor=author,
                case_code=case.code,
                client_id=f"{prefix}-{n}",
                body=BODY.format(n),
                session_id=sessions[author.pk],
            )
    except Exception as error:  # noqa: BLE001 - any failure, re-raised in the main thread
        errors.append(error)
    finally:
        connections.close_all()


def without_the_check():
    """The two posting statements with the standing clause replaced by TRUE."""
    from consult.accounts.sql import grant_sql
    from consult.cases import store

    plain = store.POST_PLAIN_MESSAGE.replace(
        grant_sql(user="%(author)s", role="%(role)s", session="%(session)s"), "TRUE"
    )
    lock = store.LOCK_CASE_FOR_POSTER.replace(
        grant_sql(user="%(actor)s", role="%(role)s", session="%(session)s"), "TRUE"
    )
    assert plain != store.POST_PLAIN_MESSAGE and lock != store.LOCK_CASE_FOR_POSTER
    return mock.patch.multiple(store, POST_PLAIN_MESSAGE=plain, LOCK_CASE_FOR_POSTER=lock)


def batch(rooms, messages, threads, checked):
    from consult.cases import store

    errors, each, tag = [], messages // threads, uuid.uuid4().hex[:6]
    workers = [
        threading.Thread(target=poster, args=(*rooms[i % len(rooms)], f"{tag}{i}", each, errors))
        for i in range(threads)
    ]
    store._plain_post_sql.cache_clear()  # it caches the statement text
    with contextlib.nullcontext() if checked else without_the_check():
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
    store._plain_post_sql.cache_clear()
    if errors:
        raise errors[0]
    return each * threads, elapsed


def measure(batches, size, threads, rooms):
    cases = {}
    for checked in (True, False):
        cases[checked] = []
        for _ in range(rooms):
            users, case = make_case()
            cases[checked].append((users, case, signed_in_sessions(users)))
    totals = {True: [0, 0.0], False: [0, 0.0]}
    for n in range(batches):
        for checked in (True, False) if n % 2 == 0 else (False, True):
            posted, seconds = batch(cases[checked], size, threads, checked)
            totals[checked][0] += posted
            totals[checked][1] += seconds
    return {checked: posted / seconds for checked, (posted, seconds) in totals.items()}


def scenario(name, args, rooms):
    rates = measure(args.batches, args.batch, args.threads, rooms)
    ratio = rates[True] / rates[False]
    print(
        f"{name:9}: check on {rates[True]:6.1f} msgs/s, off {rates[False]:6.1f} msgs/s, ratio "
        f"{ratio:.2f}"
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
    measure(2, args.batch, args.threads, 1)  # warm up: imports, connections, prepared statements
    total = args.batches * (args.batch // args.threads) * args.threads
    print(
        f"{total} messages per mode and scenario, {args.threads} threads, {args.batches} "
        f"interleaved batches"
    )
    result = {
        "bench": "grant_check_cost",
        "messages_per_mode": total,
        "threads": args.threads,
        "spread": scenario("spread", args, rooms=args.threads),
        "hot_room": scenario("hot room", args, rooms=1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
