"""Flood control for sockets: a token bucket per socket, and a cap on one user's open sockets.

Pure Python, no I/O: the consumer asks, the bucket answers.

    TokenBucket(rate=10, burst=30)   a socket may send `burst` frames at once, then `rate` a second;
                                     take() is 0 when a frame may pass, else the seconds to wait.
    OpenSockets(cap=20)              claim(user, socket) is False for the cap+1st socket of a user
                                     in this process; release() when the socket goes.
The cap is per server process (each Daphne process counts its own sockets): behind nginx's
balancing a user's sockets spread over processes, so N processes admit up to N × cap.
"""

import time


class TokenBucket:
    def __init__(self, *, rate, burst, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = float(burst)
        self.updated = clock()

    def take(self):
        """0.0 if a token was taken; otherwise the seconds until the next token (nothing taken)."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1 - 1e-9:  # refills add up in floating point: 0.5 + 0.5 may be 0.999...
            self.tokens = max(0.0, self.tokens - 1)
            return 0.0
        return (1 - self.tokens) / self.rate


class OpenSockets:
    def __init__(self):
        self.by_user = {}

    def claim(self, user_id, socket_name, *, cap):
        held = self.by_user.setdefault(user_id, set())
        if socket_name not in held and len(held) >= cap:
            return False
        held.add(socket_name)
        return True

    def release(self, user_id, socket_name):
        held = self.by_user.get(user_id)
        if held is not None:
            held.discard(socket_name)
            if not held:
                del self.by_user[user_id]

    def count(self, user_id):
        return len(self.by_user.get(user_id, ()))


open_sockets = OpenSockets()  # this process's sockets, by user
