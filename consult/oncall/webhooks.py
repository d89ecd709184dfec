"""Outbound webhooks (paging gateways): where they may go, how each call is signed, how it is sent.

A webhook URL is chosen by a team's supervisor, so it is untrusted input that makes *our* server
send requests: without limits it reaches the database, Redis or a cloud metadata endpoint (SSRF).
    1. The scheme is https; plain http only with WEBHOOK_ALLOW_HTTP (development).
    2. Every address the host resolves to must be public (not loopback, private, link-local,
       reserved...), unless the host or its network is in WEBHOOK_ALLOWED_HOSTS.
    3. The connection goes to the address that was checked (no second lookup a DNS answer could
       change), with a timeout, and redirects are not followed.
    4. The body is signed: X-Consult-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 over
       "<t>." + body with WEBHOOK_SIGNING_SECRET>, the scheme Stripe uses. `signature_valid` is
       what a receiver runs; a timestamp outside its tolerance stops replays.
Save time runs 1 and 2 (refusing with a typed error); delivery time runs all four again.
"""

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
from urllib.parse import urlsplit

from django.conf import settings

from consult.core.errors import ValidationFailed

SIGNATURE_HEADER = "X-Consult-Signature"
DELIVERY_HEADER = "X-Consult-Delivery"
REPLAY_TOLERANCE_SECONDS = 300


class DestinationRefused(Exception):
    """The URL may not be called; the message says why (never the URL's query)."""


def sign(secret, timestamp, body):
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def signature_valid(secret, header, body, *, now=None, tolerance=REPLAY_TOLERANCE_SECONDS):
    """A receiver's check: the v1 MAC matches and the timestamp is recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(
        sign(secret, timestamp, body), f"t={timestamp},v1={parts.get('v1', '')}"
    )


def _allowed(host, address):
    for entry in settings.WEBHOOK_ALLOWED_HOSTS:
        if entry.lower() == host.lower():
            return True
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue  # a host name entry: compared above
    return False


def _public(address):
    address = address.ipv4_mapped or address if address.version == 6 else address
    return address.is_global and not address.is_multicast


def _checked(url):
    """(scheme, host, port, path) of a URL that passes rules 1 and the form checks."""
    parts = urlsplit(url)
    allowed = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise DestinationRefused("the webhook must be an https URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise DestinationRefused("the webhook's port is not a number") from None
    if not parts.hostname or parts.username or parts.password:
        raise DestinationRefused("the webhook needs a host name and no user or password")
    return (
        parts.scheme,
        parts.hostname,
        port,
        (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
    )


def resolve_destination(url):
    """(scheme, host, port, path, address) to connect to, or DestinationRefused (rule 2)."""
    scheme, host, port, path = _checked(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise DestinationRefused("the webhook's host does not resolve") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        if not _public(address) and not _allowed(host, address):
            raise DestinationRefused(
                "the webhook's host is a loopback, private or link-local address"
            )
    return scheme, host, port, path, str(addresses[0])


def webhook_url_check(url):
    """Save time: a typed error naming the field, or None. A host that does not resolve yet is
    accepted (delivery checks again and retries); one that resolves inside is refused."""
    try:
        resolve_destination(url)
    except DestinationRefused as refusal:
        if "does not resolve" not in str(refusal):
            raise ValidationFailed(str(refusal), field="webhook_url") from None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post_signed(url, body, *, delivery_id, now=None):
    """POST the body to the checked address; returns the HTTP status,
    raises on refusal or failure."""
    scheme, host, port, path, address = resolve_destination(url)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(
        host, port, address=address, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
    )
    timestamp = int(now or time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Consult-Webhook/1",
        SIGNATURE_HEADER: sign(settings.WEBHOOK_SIGNING_SECRET, timestamp, body),
        DELIVERY_HEADER: str(delivery_id),
    }
    try:
        connection.request("POST", path, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()
