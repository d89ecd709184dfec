"""`python -m consult.server [daphne options] consult.asgi:application`: Daphne on uvloop.

Daphne runs Twisted's asyncio reactor on a loop it creates when daphne.server is imported;
with uvloop's policy set first, that loop is uvloop's (libuv, in C) instead of asyncio's
pure-Python selector loop, which was a large share of each server process's CPU at
thousands of frames a second. SIGTERM closes every socket with 1012 before the process
exits (consult/server/graceful.py). Without uvloop installed it is plain Daphne's loop. The
process is tuned (garbage collector, GIL switch interval: consult/server/tuning.py) once the
application is loaded, before it serves.

Two more changes to Daphne's websocket handling, both documented in docs/protocol.md:
- the largest message and frame a client may send is set explicitly (WS_MAX_MESSAGE_BYTES,
  1 MiB by default, unless --websocket-max-message-size / --websocket-max-frame-size are given);
- a connection autobahn fails (an oversized message, a protocol violation) gets a close frame
  with the reason's code (1009 for too big) instead of a dropped TCP connection (autobahn's
  failByDrop, on by default), so a client can tell "too big" from a network failure.
And one to autobahn's: on every new connection it formats its whole configuration with
`pprint.pformat` for a debug log line, even with debug logging off (the argument is built
before the call): 7 % of the event loop's CPU in a burst of joins (bench/idle_sockets.py). Here
that text is only made if the line is ever written.
Everything else is Daphne's own command line, unchanged.
"""

import asyncio
import os
import pprint
import sys

try:
    import uvloop
except (
    ImportError
):  # pragma: no cover - uvloop is a dependency; this keeps the server up without it
    uvloop = None

if uvloop is not None:
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

import autobahn.websocket.protocol
import daphne.server
from daphne.cli import CommandLineInterface
from daphne.ws_protocol import WebSocketFactory

from consult.server.graceful import GracefulServer
from consult.server.tuning import tune_process


class ClosingWebSocketFactory(WebSocketFactory):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setProtocolOptions(failByDrop=False)


def with_message_limits(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
    from django.conf import settings

    limit = str(settings.WS_MAX_MESSAGE_BYTES)
    for option in ("--websocket-max-message-size", "--websocket-max-frame-size"):
        if not any(arg.split("=")[0] == option for arg in argv):
            argv = [option, limit, *argv]
    return argv


class FormattedWhenWritten:
    def __init__(self, value):
        self.value = value

    def __str__(self):
        return pprint.pformat(self.value)

    def __format__(self, spec):  # txaio's logger formats with str.format
        return format(str(self), spec)


class TunedServer(GracefulServer):
    def run(self):
        # Daphne's command line has loaded the application by now: the heap to freeze is its.
        tune_process()
        super().run()


autobahn.websocket.protocol.pformat = FormattedWhenWritten
daphne.server.WebSocketFactory = ClosingWebSocketFactory
CommandLineInterface.server_class = TunedServer
CommandLineInterface().run(with_message_limits(sys.argv[1:]))
