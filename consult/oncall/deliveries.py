"""Outbound deliveries: e-mails and webhook calls, queued as rows and sent by the scheduler.

The web request never talks to the outside world. A service queues inside its transaction
(`email_queue`, `webhook_queue`); the scheduler's `deliver_due` claims each due row with a
conditional UPDATE (two schedulers never send one twice) and hands it to its channel's transport:

    class Transport(Protocol):
        def send(self, delivery) -> int | None: ...
            # the receiver's HTTP status (None for e-mail); raises DeliveryFailed or any error

TRANSPORTS maps a channel to its transport; a test can put a fake in its place. A failed try is
retried with exponential backoff and given up after DELIVERY_MAX_ATTEMPTS; every try is a
DeliveryAttempt row.
"""

import logging
from datetime import timedelta
from typing import Protocol

import orjson
from django.core.mail import send_mail
from django.utils import timezone

from consult.oncall import webhooks
from consult.oncall.models import Delivery, DeliveryAttempt

log = logging.getLogger(__name__)

BATCH = 50
DELIVERY_RETRY_SECONDS = 60  # the first retry; each next one waits twice as long (60 ... 480 s)
DELIVERY_MAX_ATTEMPTS = 5
CLAIM_STALE_SECONDS = 120  # a worker that claimed a delivery and died: try again after this


def email_queue(*, to, subject, body, due_at=None):
    """An e-mail for the scheduler to send (no clinical text: case codes, names, links)."""
    return Delivery.objects.create(
        channel=Delivery.EMAIL,
        target=to,
        subject=subject,
        payload={"body": body},
        due_at=due_at or timezone.now(),
    )


def webhook_queue(*, url, payload, due_at=None):
    """A signed POST of `payload` (JSON) for the scheduler to make."""
    return Delivery.objects.create(
        channel=Delivery.WEBHOOK, target=url, payload=payload, due_at=due_at or timezone.now()
    )


class DeliveryFailed(Exception):
    """The receiver answered, but not with success; the message is what the attempt records."""

    def __init__(self, error, *, status=None):
        super().__init__(error)
        self.status = status


class Transport(Protocol):
    def send(self, delivery) -> int | None: ...


class EmailTransport:
    def send(self, delivery):
        send_mail(delivery.subject, delivery.payload["body"], None, [delivery.target])
        return None


class WebhookTransport:
    def send(self, delivery):
        status = webhooks.post_signed(
            delivery.target, orjson.dumps(delivery.payload), delivery_id=delivery.pk
        )
        if not 200 <= status < 300:
            raise DeliveryFailed(f"HTTP {status}", status=status)
        return status


TRANSPORTS: dict[str, Transport] = {
    Delivery.EMAIL: EmailTransport(),
    Delivery.WEBHOOK: WebhookTransport(),
}


def deliver_due(now=None):
    """Send queued e-mails and webhook calls; a failure is retried with exponential backoff, then
    given up after DELIVERY_MAX_ATTEMPTS tries. Every try is a DeliveryAttempt row."""
    now = now or timezone.now()
    done = 0
    stale = now - timedelta(seconds=CLAIM_STALE_SECONDS)
    due = Delivery.objects.filter(
        sent_at__isnull=True, due_at__lte=now, attempts__lt=DELIVERY_MAX_ATTEMPTS
    )
    for delivery in list(due.filter(claimed_at__isnull=True)[:BATCH]) + list(
        due.filter(claimed_at__lt=stale)[:BATCH]
    ):
        if not Delivery.objects.filter(
            pk=delivery.pk, claimed_at=delivery.claimed_at, sent_at__isnull=True
        ).update(claimed_at=now, attempts=delivery.attempts + 1):
            continue  # another scheduler claimed it first
        _deliver(delivery, now)
        done += 1
    return done


def retry_delay(attempt):
    """Seconds before the next try after failed try number `attempt` (1-based)."""
    return DELIVERY_RETRY_SECONDS * 2 ** (attempt - 1)


def _deliver(delivery, now):
    attempt = delivery.attempts + 1  # the claim counted this try
    try:
        status, error = TRANSPORTS[delivery.channel].send(delivery), ""
    except DeliveryFailed as failure:
        status, error = failure.status, str(failure)
    except webhooks.DestinationRefused as refusal:
        status, error = None, str(refusal)
    except Exception as failure:  # noqa: BLE001 - the outside world failed: retry later, never crash
        status, error = None, type(failure).__name__
    if not error:
        DeliveryAttempt.objects.create(
            delivery=delivery, number=attempt, attempted_at=now, status=status
        )
        Delivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now(), error="")
        return
    retry_at = (
        now + timedelta(seconds=retry_delay(attempt)) if attempt < DELIVERY_MAX_ATTEMPTS else None
    )
    log.warning("delivery %s (%s) try %s failed: %s", delivery.pk, delivery.channel, attempt, error)
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=attempt,
        attempted_at=now,
        status=status,
        error=error,
        retry_at=retry_at,
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        claimed_at=None, error=error, due_at=retry_at or now
    )
