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
Behind nginx (`--proxy-headers`), Daphne writes no access log of its own unless `--access-log`
is given: nginx logs every request and socket already (deploy/nginx/), and three lines per
socket were 4 % of the event loop's CPU in a burst of joins.
And one to autobahn's: its debug log lines build their text before the call, logging on or
off: on every connection it formats its whole configuration with `pprint.pformat` (7 % of the
event loop's CPU in a burst of joins, bench/idle_sockets.py), and on every frame it sends it
colours its own method's name with click. Here those texts (pformat, hltype, hlval) are made
only if a line is ever written; Daphne discards autobahn's log below verbosity 2 anyway.
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

import autobahn.twisted.websocket
import autobahn.websocket.protocol
import daphne.server
from daphne.cli import CommandLineInterface
from daphne.ws_protocol import WebSocketFactory

from consult.server.graceful import GracefulServer
from consult.server.tuning import (
    connection_closed,
    connection_handed_over,
    connection_opened,
    handed_to_websocket,
    tune_process,
)


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
    """`format(value)`, made when the log line is written."""

    format = staticmethod(pprint.pformat)

    def __init__(self, value):
        self.value = value

    def __str__(self):
        return self.format(self.value)

    def __format__(self, spec):  # txaio's logger formats with str.format
        return format(str(self), spec)


def logs_access(argv):
    options = {arg.split("=")[0] for arg in argv}
    return "--access-log" in options or "--proxy-headers" not in options


class TunedServer(GracefulServer):
    def run(self):
        # Daphne's command line has loaded the application by now: the heap to freeze is its.
        tune_process()
        if not logs_access(sys.argv[1:]):
            self.action_logger = None
        super().run()

    def protocol_connected(self, protocol):
        super().protocol_connected(protocol)
        connection_opened()

    def protocol_disconnected(self, protocol):
        if handed_to_websocket(protocol):
            connection_handed_over()
        elif "disconnected" not in self.connections.get(protocol, {}):
            connection_closed()  # what it leaves is cyclic garbage (consult/server/tuning.py)
        super().protocol_disconnected(protocol)


def formatted_when_written(format):
    return type(format.__name__, (FormattedWhenWritten,), {"format": staticmethod(format)})


for module in (autobahn.websocket.protocol, autobahn.twisted.websocket):
    for name in ("pformat", "hltype", "hlval"):
        if hasattr(module, name):
            setattr(module, name, formatted_when_written(getattr(module, name)))
# The one caller that wants the text itself, not a log argument:
autobahn.websocket.protocol.Timings.__str__ = lambda timings: pprint.pformat(timings._timings)
daphne.server.WebSocketFactory = ClosingWebSocketFactory
CommandLineInterface.server_class = TunedServer
CommandLineInterface().run(with_message_limits(sys.argv[1:]))
