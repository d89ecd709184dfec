"""The scheduler's units of work. Each claims due rows so that two schedulers never do one job
twice.

Escalations lock the consult row with SELECT ... FOR UPDATE SKIP LOCKED and re-check the deadline
under the lock; repeats, deliveries and reminders are claimed by a conditional UPDATE that only one
worker can win (healthchecks' sendalerts). A claimed row is already written, so a restart loses
nothing: anything due while no scheduler ran is simply due at the next tick.
"""

import logging
from datetime import timedelta

import orjson
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from consult.oncall import webhooks
from consult.oncall.models import ConsultRequest, Delivery, DeliveryAttempt, Page, State
from consult.oncall.paging import audit_consult, escalation_step, send_page
from consult.oncall.rota import paging_settings

log = logging.getLogger(__name__)

BATCH = 50
DELIVERY_RETRY_SECONDS = (
    60  # the first retry; each next one waits twice as long (60, 120, 240, 480 s)
)
DELIVERY_MAX_ATTEMPTS = 5
CLAIM_STALE_SECONDS = 120  # a worker that claimed a delivery and died: try again after this


def _locked(queryset):
    if connection.vendor == "postgresql":
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset.select_for_update()  # SQLite: one writer at a time anyway


def escalate_due(now=None):
    """Apply the policy to every paging consult whose deadline has passed."""
    now = now or timezone.now()
    done = 0
    ids = ConsultRequest.objects.filter(state=State.PAGING, escalate_at__lte=now).values_list(
        "pk", flat=True
    )
    for consult_id in list(ids[:BATCH]):
        with transaction.atomic():
            consult = (
                _locked(ConsultRequest.objects.select_related("case", "team", "requester"))
                .filter(pk=consult_id, state=State.PAGING, escalate_at__lte=now)
                .first()
            )
            if consult is None:
                continue  # another scheduler holds it or already escalated it
            escalation_step(consult, now=now)
            done += 1
    return done


def repeat_due_pages(now=None):
    """Send an unacknowledged page again on the recipient's devices, once per repeat interval."""
    now = now or timezone.now()
    done = 0
    due = Page.objects.filter(next_repeat_at__lte=now, closed_at__isnull=True).select_related(
        "consult__case"
    )
    for page in list(due[:BATCH]):
        repeat = timedelta(seconds=paging_settings(page.consult.team_id).repeat_seconds)
        with transaction.atomic():
            claimed = Page.objects.filter(
                pk=page.pk, next_repeat_at=page.next_repeat_at, closed_at__isnull=True
            ).update(next_repeat_at=now + repeat, repeats=page.repeats + 1)
            if not claimed:
                continue  # another scheduler repeated it, or it was answered meanwhile
            page.repeats += 1
            audit_consult(
                page.consult,
                "page.repeated",
                recipient_id=page.recipient_id,
                page_id=page.pk,
                repeat=page.repeats,
            )
            send_page(page, page.consult)
            done += 1
    return done


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


def _send(delivery):
    """(HTTP status or None for e-mail, error or "" when it went out)."""
    if delivery.channel == Delivery.EMAIL:
        send_mail(delivery.subject, delivery.payload["body"], None, [delivery.target])
        return None, ""
    status = webhooks.post_signed(
        delivery.target, orjson.dumps(delivery.payload), delivery_id=delivery.pk
    )
    return status, "" if 200 <= status < 300 else f"HTTP {status}"


def _deliver(delivery, now):
    attempt = delivery.attempts + 1  # the claim counted this try
    try:
        status, error = _send(delivery)
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
