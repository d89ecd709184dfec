"""Page latency: an urgent consult accepted over HTTP → the `page` frame on the supervisor's socket.

    python bench/page_latency.py [--pages 100] [--chatters 200] [--chat-interval 2.0]

Starts its own Daphne on a fresh PostgreSQL database (consult_bench_pages) and the real Redis
layer, opens `--chatters` case-room sockets that each post a message every `--chat-interval`
seconds, and a supervisor's /ws/me/ socket. Then, `--pages` times: POST /consults/new/ (urgent)
as the therapist, time until the page frame arrives, resolve it. The first page is sent by the web
process on commit, so no scheduler is involved. Prints p50/p90/p99/max and one JSON line.

Latency is measured from the moment the POST is sent (an upper bound on "accepted → received").
"""

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
DB_NAME = "consult_bench_pages"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ["CHANNEL_PREFIX"] = f"bench-pages-{os.getpid()}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
os.environ["LOG_LEVEL"] = "WARNING"


def fresh_database():
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True
    )


def seed(cases):
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from consult.accounts.models import Membership, Role, Team, User
    from consult.cases.services import case_create
    from consult.oncall.models import Shift

    team = Team.objects.create(name="Bench")
    people = {}
    for name, role in (
        ("therapist", Role.THERAPIST),
        ("supervisor", Role.SUPERVISOR),
        ("chatter", Role.PEER),
    ):
        people[name] = User.objects.create_user(name, password="x", role=role)
        Membership.objects.create(team=team, user=people[name])
    Shift.objects.create(
        team=team,
        supervisor=people["supervisor"],
        tier=1,
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=2),
    )
    codes = [
        case_create(actor=people["therapist"], team_id=team.pk, title=f"Bench case {i}").code
        for i in range(cases)
    ]
    cookies = {}
    for name, user in people.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        client.get("/dashboard/")  # sets the CSRF cookie
        cookies[name] = {k: v.value for k, v in client.cookies.items()}
    return codes, cookies, settings.SESSION_COOKIE_NAME


def start_daphne():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
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
        stdout=open("/tmp/bench-page-daphne.log", "w"),
        stderr=subprocess.STDOUT,
        env={
            **os.environ,
            "CONN_MAX_AGE": "60",
            "HTTPS": "0",
            "ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
        },
    )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("daphne did not start")


def cookie_header(jar):
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def post(port, path, jar, data):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=urllib.parse.urlencode(data).encode(),
        method="POST",
        headers={
            "Cookie": cookie_header(jar),
            "X-CSRFToken": jar["csrftoken"],
            "Origin": f"http://127.0.0.1:{port}",
            "Referer": f"http://127.0.0.1:{port}/dashboard/",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


async def chatter(port, code, jar, interval, stop, counter, delay):
    import websockets

    await asyncio.sleep(delay)  # a burst of 200 handshakes at once is a different benchmark
    url = f"ws://127.0.0.1:{port}/ws/cases/{code}/"
    async with websockets.connect(
        url,
        origin=f"http://127.0.0.1:{port}",
        max_queue=None,
        additional_headers={"Cookie": cookie_header(jar)},
    ) as ws:
        reader = asyncio.create_task(drain(ws))
        await asyncio.sleep(random.random() * interval)
        n = 0
        while not stop.is_set():
            n += 1
            await ws.send(
                json.dumps(
                    {"type": "message.send", "client_id": f"{id(ws)}-{n}", "body": f"note {n}"}
                )
            )
            counter[0] += 1
            await asyncio.sleep(interval)
        reader.cancel()


async def drain(ws):
    async for _ in ws:
        pass


async def measure(args, port, codes, cookies):
    import websockets

    stop, counter = asyncio.Event(), [0]
    chatters = [
        asyncio.create_task(
            chatter(
                port,
                codes[i % len(codes)],
                cookies["chatter"],
                args.chat_interval,
                stop,
                counter,
                i * 0.02,
            )
        )
        for i in range(args.chatters)
    ]
    await asyncio.sleep(args.chatters * 0.02 + 3)  # every chatter connected and talking
    sup = await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/me/",
        origin=f"http://127.0.0.1:{port}",
        max_queue=None,
        additional_headers={"Cookie": cookie_header(cookies["supervisor"])},
    )
    await sup.recv()  # snapshot
    latencies, started = [], time.monotonic()
    for i in range(args.pages):
        code = codes[i % len(codes)]
        t0 = time.perf_counter()
        accepted = asyncio.create_task(
            asyncio.to_thread(
                post,
                port,
                "/consults/new/",
                cookies["therapist"],
                {"kind": "urgent", "case": code, "question": "bench"},
            )
        )
        while True:
            frame = json.loads(await asyncio.wait_for(sup.recv(), 10))
            if frame["type"] == "page":
                break
        latencies.append((time.perf_counter() - t0) * 1000)
        consult = (await accepted)["consult"]
        await asyncio.to_thread(
            post,
            port,
            f"/consults/{consult['id']}/resolve/",
            cookies["supervisor"],
            {"outcome": "bench done"},
        )
        await asyncio.sleep(0.05)
    chat_rate = counter[0] / (time.monotonic() - started + 3)
    stop.set()
    await sup.close()
    await asyncio.gather(*chatters, return_exceptions=True)
    return latencies, chat_rate


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--chatters", type=int, default=200)
    parser.add_argument("--chat-interval", type=float, default=2.0)
    parser.add_argument("--cases", type=int, default=50)
    args = parser.parse_args()
    fresh_database()
    codes, cookies, _ = seed(args.cases)
    daphne, port = start_daphne()
    try:
        latencies, chat_rate = asyncio.run(measure(args, port, codes, cookies))
    finally:
        daphne.terminate()
        daphne.wait(timeout=10)
    figures = {
        "pages": len(latencies),
        "chatters": args.chatters,
        "chat_msgs_per_s": round(chat_rate, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p90_ms": round(percentile(latencies, 90), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1),
    }
    print(
        f"page latency, POST sent → page frame on the supervisor's socket ({figures['pages']} "
        f"pages, {args.chatters} clients chatting at {figures['chat_msgs_per_s']} msg/s):"
    )
    print(
        f"  p50 {figures['p50_ms']} ms   p90 {figures['p90_ms']} ms   p99 {figures['p99_ms']} ms   "
        f"max {figures['max_ms']} ms   (target p99 <= 200 ms)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
