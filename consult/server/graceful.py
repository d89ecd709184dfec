"""Daphne that leaves gracefully on SIGTERM: every socket is told 1012 (service restart).

Plain Daphne stops its reactor on SIGTERM and the TCP connections simply drop: browsers see
1006 and wait out their backoff. Here SIGTERM runs these steps instead:
  1. stop listening, so the balancer sends new connections to the other processes;
  2. send every open websocket a close frame with 1012, which clients answer by reconnecting
     at once (with jitter) to a process that is still up; a socket still in its handshake is
     told the same as soon as it opens (dropped, it would see 1006);
  3. stop the reactor when the last socket has gone, or after CLOSE_TIMEOUT_SECONDS;
  4. let the database threads finish what was queued (a post whose socket has gone is still
     stored), for at most DATABASE_WORK_TIMEOUT_SECONDS;
  5. end the process without Python's teardown of its heap (exit_without_teardown).
HTTP requests in flight finish within the same wait.
"""

import logging
import os
import signal
import sys
import time

from daphne.server import Server
from twisted.internet import reactor

from consult.realtime.workers import finish_database_work
from consult.server.tuning import stop_collecting

log = logging.getLogger(__name__)

WS_CLOSE_SERVICE_RESTART = 1012
CLOSE_TIMEOUT_SECONDS = 5
DATABASE_WORK_TIMEOUT_SECONDS = 5
POLL_SECONDS = 0.05


class GracefulServer(Server):
    def run(self):
        self.ports = []
        self.stopping_since = None
        reactor.callWhenRunning(self._on_sigterm_leave_gracefully)
        super().run()
        if self.stopping_since is not None:
            if not finish_database_work(DATABASE_WORK_TIMEOUT_SECONDS):
                log.warning(
                    "SIGTERM: database work still running after %d s: exiting",
                    DATABASE_WORK_TIMEOUT_SECONDS,
                )
            exit_without_teardown()

    def listen_success(self, port):
        self.ports.append(port)
        super().listen_success(port)

    def _on_sigterm_leave_gracefully(self):
        # After Twisted installed its own handlers (they stop the reactor at once).
        signal.signal(signal.SIGTERM, lambda signum, frame: reactor.callFromThread(self.leave))

    def leave(self):
        if self.stopping_since is not None:
            return
        self.stopping_since = time.monotonic()
        stop_collecting()
        for port in self.ports:
            port.stopListening()
        sockets = self.open_websockets()
        log.warning(
            "SIGTERM: closing %d websockets with %d (%d connections: %s)",
            len(sockets),
            WS_CLOSE_SERVICE_RESTART,
            len(self.connections),
            sorted({(type(p).__name__, getattr(p, "state", None)) for p in self.connections}),
        )
        self.told = set()
        try:
            self._tell_open_sockets()
        finally:
            self._stop_when_drained()

    def _tell_open_sockets(self):
        for protocol in self.open_websockets():
            if protocol not in self.told:
                self.told.add(protocol)
                # autobahn's sendClose accepts only 1000 and 3000-4999; 1012 is a registered
                # code (RFC 6455 registry) that its frame-level call sends as is.
                protocol.sendCloseFrame(code=WS_CLOSE_SERVICE_RESTART, isReply=False)

    def open_websockets(self):
        return [
            p
            for p, details in self.connections.items()
            if "disconnected" not in details
            and getattr(p, "state", None) == getattr(p, "STATE_OPEN", object())
        ]

    def _stop_when_drained(self):
        try:
            self._tell_open_sockets()  # handshakes that completed since
        except Exception:
            log.exception("closing a socket with 1012 failed")
        busy = [p for p, details in self.connections.items() if "disconnected" not in details]
        waited = time.monotonic() - self.stopping_since
        if busy and waited < CLOSE_TIMEOUT_SECONDS:
            reactor.callLater(POLL_SECONDS, self._stop_when_drained)
            return
        if busy:
            log.warning(
                "SIGTERM: %d connections still open after %.1f s: stopping", len(busy), waited
            )
        else:
            log.warning("SIGTERM: every connection closed after %.2f s: stopping", waited)
        reactor.stop()


def exit_without_teardown():
    """End the process once the reactor has stopped, without Python's own exit.

    That exit frees every object one by one: with 5,000 sockets' worth of them it took 1.5 s
    (bench/idle_sockets.py --restart), during which nothing answers on the port and the next
    process cannot start. Nothing is left to do by then: every socket has closed and the
    database threads have finished what was queued. Only the logs need flushing.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
