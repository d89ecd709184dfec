import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
django_http = get_asgi_application()  # before importing consumers: it sets up the app registry

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from consult.accounts.socket_sign_in import SocketSignIn  # noqa: E402
from consult.accounts.sweep import WithSessionSweep  # noqa: E402
from consult.consumers.routing import websocket_urlpatterns  # noqa: E402
from consult.realtime.handshake_guard import AnswersWhenTheDatabaseIsAway  # noqa: E402
from consult.realtime.origins import OriginValidator  # noqa: E402
from consult.scheduler.embedded import WithEmbeddedScheduler  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": ASGIStaticFilesHandler(django_http) if settings.SERVE_STATIC else django_http,
        # Origins compared on scheme, host and port (ALLOWED_ORIGINS), on every socket route.
        # A handshake the database cannot answer gets `unavailable` and 4503, not HTTP 500.
        # Its session, user and second factor: one statement (consult/accounts/socket_sign_in.py).
        "websocket": OriginValidator(
            AnswersWhenTheDatabaseIsAway(SocketSignIn(URLRouter(websocket_urlpatterns)))
        ),
    }
)
if settings.EMBEDDED_SCHEDULER:
    application = WithEmbeddedScheduler(application)
application = WithSessionSweep(application)
