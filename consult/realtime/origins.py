"""Which web pages may open a socket as the signed-in user: origins compared on scheme,
host AND port.

A browser sends the session cookie with a websocket handshake from any page, so the Origin header
is what stops another site, or another service on the same host name and a different port or
scheme, from opening sockets as the user (cross-site websocket hijacking). Channels'
AllowedHostsOriginValidator compares the host only; this compares the whole origin against
ALLOWED_ORIGINS. A missing Origin, `null` (sandboxed frames, file: pages) and anything malformed
are refused; the handshake then answers HTTP 403.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def origin_tuple(text):
    """(scheme, host, port) of an origin such as https://consult.example.org,
    or None if it is not one."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None:
        return None
    if (
        parts.username
        or parts.password
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        return None
    return parts.scheme, parts.hostname.lower(), port


def default_origins(site_url, allowed_hosts, https):
    """SITE_URL's origin, and each exact ALLOWED_HOSTS name on SITE_URL's port, with the scheme the
    site is served with. Wildcard hosts (.example.org) imply nothing: list such origins yourself."""
    site = origin_tuple(site_url)
    scheme = "https" if https else (site[0] if site else "http")
    port = site[2] if site else DEFAULT_PORTS[scheme]
    origins = {site} if site else set()
    for host in allowed_hosts:
        if host and not host.startswith(".") and host != "*":
            origins.add((scheme, host.strip("[]").lower(), port))
    return origins


def allowed_origins():
    if settings.ALLOWED_ORIGINS:
        return {o for o in map(origin_tuple, settings.ALLOWED_ORIGINS) if o is not None}
    return default_origins(settings.SITE_URL, settings.ALLOWED_HOSTS, settings.HTTPS)


class OriginValidator:
    """ASGI middleware for the websocket routes: refuse the handshake unless the origin is
    allowed."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        origins = [value for name, value in scope.get("headers", ()) if name == b"origin"]
        if len(origins) == 1 and origin_tuple(origins[0].decode("latin-1")) in allowed_origins():
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
