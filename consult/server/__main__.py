"""`python -m consult.server [daphne options] consult.asgi:application`: Daphne on uvloop.

Daphne runs Twisted's asyncio reactor on a loop it creates when daphne.server is imported;
with uvloop's policy set first, that loop is uvloop's (libuv, in C) instead of asyncio's
pure-Python selector loop, which was a large share of each server process's CPU at
thousands of frames a second. SIGTERM closes every socket with 1012 before the process
exits (consult/server/graceful.py). Everything else is Daphne's own command line, unchanged.
Without uvloop installed it is plain Daphne's loop.
"""
import asyncio

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is a dependency; this keeps the server up without it
    uvloop = None

if uvloop is not None:
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

from daphne.cli import CommandLineInterface  # noqa: E402 - after the policy: it creates the loop

from consult.server.graceful import GracefulServer  # noqa: E402

CommandLineInterface.server_class = GracefulServer
CommandLineInterface.entrypoint()
