"""Webhooks to a paging gateway: signed, only to public https addresses unless allow-listed, and
retried with exponential backoff, every try recorded. bob supervises North and sets the URL; the
gateway is a real HTTP server on 127.0.0.1, allowed through WEBHOOK_ALLOWED_HOSTS."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from consult.core.errors import ValidationFailed
from consult.oncall import deliveries, webhooks
from consult.oncall.models import Delivery, DeliveryAttempt
from consult.oncall.rota import paging_settings_update

pytestmark = pytest.mark.django_db
SECRET = "a-test-signing-secret-of-forty-characters!"
PAYLOAD = {
    "event": "page",
    "case": "C-1",
    "urgency": "urgent",
    "tier": "Primary on-call",
    "url": "https://x/",
}


class Gateway:
    """A receiver answering each POST with the next status of `statuses` (then 200),
    keeping requests."""

    def __init__(self, statuses=()):
        self.statuses, self.requests = list(statuses), []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append((dict(self.headers), body))
                self.send_response(gateway.statuses.pop(0) if gateway.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/consult"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_receivers_allowed(settings):
    settings.WEBHOOK_SIGNING_SECRET = SECRET
    settings.WEBHOOK_ALLOW_HTTP = True  # the local receiver speaks plain http
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def gateway(local_receivers_allowed):
    gateway = Gateway()
    yield gateway
    gateway.close()


def queue(url):
    return Delivery.objects.create(
        channel=Delivery.WEBHOOK, target=url, due_at=timezone.now(), payload=PAYLOAD
    )


def test_the_receiver_verifies_the_signature_over_timestamp_and_body(gateway):
    delivery = queue(gateway.url)
    assert deliveries.deliver_due() == 1
    [(headers, body)] = gateway.requests
    assert json.loads(body) == PAYLOAD
    assert headers["X-Consult-Delivery"] == str(delivery.pk)
    timestamp, mac = (part.split("=", 1)[1] for part in headers["X-Consult-Signature"].split(","))
    expected = hmac.new(
        SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(mac, expected)
    assert webhooks.signature_valid(SECRET, headers["X-Consult-Signature"], body)
    assert not webhooks.signature_valid(SECRET, headers["X-Consult-Signature"], body + b" ")
    assert not webhooks.signature_valid("another-secret", headers["X-Consult-Signature"], body)
    assert not webhooks.signature_valid(
        SECRET, headers["X-Consult-Signature"], body, now=int(timestamp) + 301
    )
    delivery.refresh_from_db()
    assert delivery.sent_at is not None
    assert list(delivery.tries.values_list("number", "status", "error")) == [(1, 200, "")]


def test_a_failed_delivery_is_retried_with_backoff_and_recorded(local_receivers_allowed):
    gateway = Gateway(statuses=[500, 503])
    try:
        delivery = queue(gateway.url)
        start = timezone.now()
        deliveries.deliver_due(start)
        assert (
            deliveries.deliver_due(start + timedelta(seconds=59)) == 0
        )  # not due before the backoff
        deliveries.deliver_due(start + timedelta(seconds=60))
        assert (
            deliveries.deliver_due(start + timedelta(seconds=60 + 119)) == 0
        )  # twice as long the second time
        deliveries.deliver_due(start + timedelta(seconds=60 + 120))
    finally:
        gateway.close()
    assert len(gateway.requests) == 3
    tries = list(
        DeliveryAttempt.objects.filter(delivery=delivery).values_list(
            "number", "status", "error", "retry_at"
        )
    )
    assert tries == [
        (1, 500, "HTTP 500", start + timedelta(seconds=60)),
        (2, 503, "HTTP 503", start + timedelta(seconds=180)),
        (3, 200, "", None),
    ]
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.error) == (3, "")
    assert delivery.sent_at is not None


def test_it_gives_up_after_the_last_try(local_receivers_allowed, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []  # now the loopback receiver is refused at every try
    delivery = queue("http://127.0.0.1:9/hooks")
    moment = timezone.now()
    for _ in range(deliveries.DELIVERY_MAX_ATTEMPTS + 2):
        deliveries.deliver_due(moment)
        moment += timedelta(hours=1)
    tries = DeliveryAttempt.objects.filter(delivery=delivery)
    assert tries.count() == deliveries.DELIVERY_MAX_ATTEMPTS
    assert {t.error for t in tries} == {
        "the webhook's host is a loopback, private or link-local address"
    }
    assert tries.last().retry_at is None
    delivery.refresh_from_db()
    assert delivery.sent_at is None


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/",
        "https://172.16.5.5/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://100.64.0.1/",
    ],
)
def test_it_refuses_loopback_private_and_link_local_targets_without_the_allow_list(bob, north, url):
    with pytest.raises(ValidationFailed) as refusal:
        paging_settings_update(actor=bob, team_id=north.pk, ack_seconds=120, webhook_url=url)
    assert refusal.value.field == "webhook_url"
    with pytest.raises(webhooks.DestinationRefused):
        webhooks.resolve_destination(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://pager.example.org/hook",
        "ftp://pager.example.org/",
        "https://user:pw@pager.example.org/",
    ],
)
def test_it_refuses_plain_http_and_other_schemes(bob, north, url):
    with pytest.raises(ValidationFailed):
        paging_settings_update(actor=bob, team_id=north.pk, ack_seconds=120, webhook_url=url)


def test_the_allow_list_admits_a_named_internal_receiver(
    bob, north, local_receivers_allowed, settings
):
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOWED_HOSTS = ["10.0.5.0/24"]
    paging_settings_update(
        actor=bob, team_id=north.pk, ack_seconds=120, webhook_url="https://10.0.5.7/hook"
    )
    with pytest.raises(ValidationFailed):
        paging_settings_update(
            actor=bob, team_id=north.pk, ack_seconds=120, webhook_url="https://10.0.6.7/hook"
        )
