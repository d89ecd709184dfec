"""The follow-up reminder: the scheduler claims each follow-up that came due and tells its owner
once, in the app and by e-mail, without clinical text (a row state, not a timer: see FollowUp)."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consult.audit.kinds import Action
from consult.audit.services import audit_append
from consult.cases.access import case_row_lock
from consult.events import frames
from consult.events.serializers import followup_url
from consult.oncall.deliveries import email_queue
from consult.realtime.broadcast import publish_on_commit, user_group
from consult.records.followups.models import FollowUp

BATCH = 50


def remind_due_followups(now=None):
    """Remind the owner of each follow-up that came due, once, without clinical text."""
    now = now or timezone.now()
    done = 0
    due = FollowUp.objects.filter(
        due_at__lte=now, reminded_at__isnull=True, completed_at__isnull=True
    ).select_related("case", "owner")
    for followup in list(due[:BATCH]):
        with transaction.atomic():
            if not FollowUp.objects.filter(pk=followup.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue  # another scheduler sent this reminder
            case_row_lock(followup.case_id)  # case row before audit head
            audit_append(
                action=Action.FOLLOWUP_REMINDED,
                case=followup.case,
                payload={"followup_id": followup.pk, "owner_id": followup.owner_id},
            )
            publish_on_commit(user_group(followup.owner_id), frames.followup_due(followup))
            if followup.owner.email:
                email_queue(
                    to=followup.owner.email,
                    subject=f"[Consult] Follow-up check-in due: case {followup.case.code}",
                    due_at=now,
                    body=(
                        f"A follow-up check-in on case {followup.case.code} is due.\n"
                        f"Record it here: {settings.SITE_URL}{followup_url(followup.pk)}\n"
                    ),
                )
            done += 1
    return done
