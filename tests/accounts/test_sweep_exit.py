"""A server stopping while its session sweep waits on the server's loop still exits.

The sweep ends lapsed sessions on a thread of its own, and each ending publishes a revocation
through the server's event loop (async_to_sync). When SIGTERM stops that loop mid-publish, the
thread waits for good; it must not keep the process alive (consult/accounts/sweep.py)."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import asyncio, threading, django
    django.setup()
    from asgiref.sync import async_to_sync
    from consult.accounts import sweep

    waiting = threading.Event()

    async def never_answered():
        await asyncio.sleep(3600)

    def ending_a_session():
        waiting.set()
        async_to_sync(never_answered)()  # as a revocation's group_send, on the server's loop

    sweep.sessions_expire_due = ending_a_session
    sweep.expire_due.cache_clear()

    async def serve():
        asyncio.ensure_future(sweep.expire_due()())
        await asyncio.to_thread(waiting.wait, 10)

    loop = asyncio.new_event_loop()
    loop.run_until_complete(serve())  # the loop stops with the sweep waiting on it
    print("stopped", flush=True)
    """
)


def test_the_process_exits_while_the_sweep_waits_on_the_stopped_loop():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "consult.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "stopped", done.stderr[-2000:]
    assert done.returncode == 0, done.stderr[-2000:]
