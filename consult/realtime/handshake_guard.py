"""A handshake the database could not answer is told so, instead of failing with HTTP 500.

Reading the session and user (Channels' auth middleware) and the case's access (the consumer's
`connect`) need the database. When it is away, the error would escape the application and Daphne
would answer the upgrade with HTTP 500, which a browser cannot tell from a bug. Here the socket is
accepted just long enough to send an `unavailable` error with `retry_after` and close with 4503
(WS_CLOSE_TRY_AGAIN), which clients answer by reconnecting with backoff. (A plain 503 with
Retry-After is not possible: Daphne can only refuse an upgrade with 403; autobahn sends only
1000 and 3000-4999 as close codes, so the registered 1013 is not available either.)
"""

import logging

from django.db import InterfaceError, OperationalError

from consult.core.errors import Unavailable
from consult.events import frames
from consult.realtime.protocol import WS_CLOSE_TRY_AGAIN

log = logging.getLogger(__name__)


class AnswersWhenTheDatabaseIsAway:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        accepted = False

        async def send_noting_accept(message):
            nonlocal accepted
            accepted = accepted or message["type"] == "websocket.accept"
            await send(message)

        # Room frames of an open socket go straight to Daphne's protocol (consult/realtime/wire.py)
        send_noting_accept.real_send = send

        try:
            await self.app(scope, receive, send_noting_accept)
        except (OperationalError, InterfaceError, Unavailable) as error:
            if accepted:
                # An open socket answers its frames `unavailable` itself (ConsultSocket.receive).
                raise
            log.warning("websocket handshake without the database (%s)", type(error).__name__)
            await send({"type": "websocket.accept"})
            await send(
                {
                    "type": "websocket.send",
                    "text": frames.encode(frames.error(Unavailable())),
                }
            )
            await send({"type": "websocket.close", "code": WS_CLOSE_TRY_AGAIN})
