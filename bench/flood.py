"""Flood: one socket sends 1,000 frames/s for 3 s; how does a second user's ping latency fare?

    python bench/flood.py [--rate 1000] [--seconds 3] [--pings-per-second 5]

Starts its own Daphne (python -m consult.server, the production defaults for flood control:
WS_FRAME_BURST=30, WS_FRAMES_PER_SECOND=10, WS_FLOOD_CLOSE_AFTER=20) on a fresh PostgreSQL database
(consult_bench_flood) and the real Redis layer. bob pings on his own case-room socket throughout;
alice floods the same room with message.send frames. Prints bob's ping round trips before and
during the flood, what alice was told (acks, rate_limited errors, the close code) and how many of
her messages were stored. Figures only: nothing is asserted (tests/realtime/test_flood_control.py
asserts the behaviour).
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
DB_NAME = "consult_bench_flood"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ["CHANNEL_PREFIX"] = f"bench-flood-{os.getpid()}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
os.environ["LOG_LEVEL"] = "WARNING"
os.environ["HTTPS"] = "0"


def fresh_database():
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True
    )


def seed():
    """A team with alice (the flooder) and bob (the bystander) in one case;
    their session cookies."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from consult.accounts.models import Membership, Role, Team, User
    from consult.cases.services import case_create

    team = Team.objects.create(name="Bench")
    people = {
        name: User.objects.create_user(name, password="x", role=role)
        for name, role in (("alice", Role.THERAPIST), ("bob", Role.SUPERVISOR))
    }
    for user in people.values():
        Membership.objects.create(team=team, user=user)
    code = case_create(actor=people["alice"], team_id=team.pk, title="Bench case").code
    cookies = {}
    for name, user in people.items():
        client = Client()
        client.force_login(user)
        cookies[name] = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
    return code, cookies


def start_daphne():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ALLOWED_ORIGINS": f"http://127.0.0.1:{port}"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "consult.server",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "consult.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=open("/tmp/bench-flood-daphne.log", "w"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("daphne did not start")


async def open_room(port, code, cookie):
    import websockets

    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/cases/{code}/",
        origin=f"http://127.0.0.1:{port}",
        max_queue=None,
        additional_headers={"Cookie": cookie},
    )
    assert json.loads(await ws.recv())["type"] == "room.joined"
    return ws


async def pinger(ws, interval, until, samples):
    """Round trips of bob's pings (ms), each tagged with when it was sent."""
    pongs = asyncio.Queue()

    async def read():
        async for text in ws:
            if json.loads(text)["type"] == "pong":
                pongs.put_nowait(time.perf_counter())

    reader = asyncio.create_task(read())
    while time.perf_counter() < until:
        sent = time.perf_counter()
        await ws.send('{"type": "ping"}')
        samples.append((sent, (await asyncio.wait_for(pongs.get(), 10) - sent) * 1000))
        await asyncio.sleep(max(0, sent + interval - time.perf_counter()))
    reader.cancel()


async def flooder(ws, rate, seconds, told):
    import websockets

    async def read():
        try:
            async for text in ws:
                frame = json.loads(text)
                key = frame.get("code") if frame["type"] == "error" else frame["type"]
                told[key] = told.get(key, 0) + 1
        except websockets.ConnectionClosed:
            pass
        told["close"] = ws.close_code

    reader = asyncio.create_task(read())
    started, sent = time.perf_counter(), 0
    try:
        while time.perf_counter() - started < seconds:
            for _ in range(10):
                await ws.send(
                    json.dumps(
                        {"type": "message.send", "client_id": f"f{sent}", "body": f"flood {sent}"}
                    )
                )
                sent += 1
            await asyncio.sleep(max(0, started + sent / rate - time.perf_counter()))
    except websockets.ConnectionClosed:
        pass
    told["sent"] = sent
    await asyncio.wait_for(reader, 10)


async def run(args, port, code, cookies):
    bob = await open_room(port, code, cookies["bob"])
    alice = await open_room(port, code, cookies["alice"])
    samples, told = [], {}
    start = time.perf_counter()
    quiet_until, end = start + 2, start + 2 + args.seconds + 1
    ping = asyncio.create_task(pinger(bob, 1 / args.pings_per_second, end, samples))
    await asyncio.sleep(max(0, quiet_until - time.perf_counter()))
    flood_started = time.perf_counter()
    await flooder(alice, args.rate, args.seconds, told)
    flood_ended = time.perf_counter()
    await ping
    await bob.close()
    before = [ms for at, ms in samples if at < flood_started]
    during = [ms for at, ms in samples if flood_started <= at <= flood_ended]
    return before, during, told, flood_ended - flood_started


def stored(code):
    from consult.cases.models import Message

    return Message.objects.filter(case__code=code).count()


def summary(values):
    ordered = sorted(values)
    p99 = ordered[max(0, round(0.99 * len(ordered)) - 1)] if ordered else float("nan")
    return (
        f"n={len(values)} p50 {statistics.median(values):.1f} ms  p99 {p99:.1f} ms  max "
        f"{max(values):.1f} ms"
        if values
        else "n=0"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=1000, help="alice's frames per second")
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument(
        "--pings-per-second",
        type=float,
        default=5,
        help="bob's pings per second (within his own budget)",
    )
    args = parser.parse_args()
    fresh_database()
    code, cookies = seed()
    daphne, port = start_daphne()
    try:
        before, during, told, lasted = asyncio.run(run(args, port, code, cookies))
    finally:
        daphne.terminate()
        daphne.wait(timeout=15)
    from django.conf import settings

    print(
        f"flood: alice sent {told.get('sent')} frames at {args.rate:.0f}/s for up to "
        f"{args.seconds} s (limit: burst {settings.WS_FRAME_BURST}, "
        f"{settings.WS_FRAMES_PER_SECOND}/s, closed after {settings.WS_FLOOD_CLOSE_AFTER} refusals "
        f"in a row)"
    )
    print(
        f"  alice was told: {told.get('message.ack', 0)} acks, {told.get('rate_limited', 0)} "
        f"rate_limited, closed with {told.get('close')} after {lasted:.2f} s; stored: "
        f"{stored(code)} messages"
    )
    print(f"  bob's ping round trip before the flood: {summary(before)}")
    print(f"  bob's ping round trip during the flood: {summary(during)}")
    print(
        json.dumps(
            {
                "sent": told.get("sent"),
                "acks": told.get("message.ack", 0),
                "rate_limited": told.get("rate_limited", 0),
                "close": told.get("close"),
                "stored": stored(code),
                "ping_before_ms": sorted(before),
                "ping_during_ms": sorted(during),
            }
        )
    )


if __name__ == "__main__":
    main()
