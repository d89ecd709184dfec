"""The scheduler's units of work. Each claims due rows so that two schedulers never do one job
twice.

Escalations lock the consult row with SELECT ... FOR UPDATE SKIP LOCKED and re-check the deadline
under the lock; repeats are claimed by a conditional UPDATE that only one worker can win
(healthchecks' sendalerts), as are deliveries (deliveries.py) and follow-up reminders. A claimed
row is already written, so a restart loses nothing: anything due while no scheduler ran is simply
due at the next tick.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from consult.audit.kinds import Action
from consult.oncall.models import ConsultRequest, Page, State
from consult.oncall.paging import audit_consult, escalation_step, send_page
from consult.oncall.rota import paging_settings

log = logging.getLogger(__name__)

BATCH = 50


def _locked(queryset):
    # Django leaves the lock out where the database has none (SQLite: one writer at a time).
    return queryset.select_for_update(skip_locked=True, of=("self",))


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
                Action.PAGE_REPEATED,
                recipient_id=page.recipient_id,
                page_id=page.pk,
                repeat=page.repeats,
            )
            send_page(page, page.consult)
            done += 1
    return done
