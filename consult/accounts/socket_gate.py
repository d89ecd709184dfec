"""The MFA gate for sockets: a session that has not done its second factor opens no socket.

Such a scope's user is replaced by AnonymousUser before routing, so every consumer refuses it
the way it refuses a signed-out browser. Sits inside AuthMiddlewareStack (consult/asgi.py).
"""

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser

from consult.accounts import mfa


class MfaSocketGate:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        if user is not None and user.is_authenticated:
            pending = await database_sync_to_async(mfa.mfa_pending)(user, scope["session"])
            if pending is not None:
                scope = {**scope, "user": AnonymousUser()}
        return await self.inner(scope, receive, send)
