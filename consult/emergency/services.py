"""Emergency ("break-glass") access: a supervisor or admin outside a case's team opens it now.

1. The grantee is an active supervisor or admin, not in the case's team, and gave an MFA code
   within MFA_STEP_UP_MINUTES (the view checks the session and says so here).
2. The reason is required and passes the de-identification guard.
3. In one transaction: the grant row, `break_glass.granted` on the user's and the case's
   trail (the reason only as its hash), the team's supervisors told in the app (/ws/me/) and
   by e-mail (case code, who, until when: no clinical text).
4. case_for honours the grant until it expires: every page and room read is on the
   case's trail as usual, under the grantee's name.
5. At expiry the scheduler claims the grant, puts `break_glass.expired` on both trails and
   closes the grantee's sockets in that case's room (4403); case_for refuses from
   the moment it expires, swept or not.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consult.accounts import security_events as events
from consult.accounts.models import Role
from consult.audit.chain import content_hash
from consult.cases.access import Need, case_for, is_team_member, may_break_glass
from consult.core.errors import AccessDenied, NotFound, ValidationFailed
from consult.deid.guard import guard_text
from consult.emergency.models import EmergencyGrant
from consult.events import frames
from consult.oncall.deliveries import email_queue
from consult.oncall.rota import team_supervisors
from consult.realtime.broadcast import publish_on_commit, user_group
from consult.realtime.revocation import WS_CLOSE_ACCESS_LOST, close_user_case_sockets

BATCH = 50


def active_grants():
    return EmergencyGrant.objects.filter(expired_at__isnull=True, expires_at__gt=timezone.now())


def grants_for_review(*, actor):
    """Every grant, newest first, for the admins' after-the-fact review; for anyone else the
    page does not exist."""
    if actor.role != Role.ADMIN:
        raise NotFound("no such page")
    return EmergencyGrant.objects.select_related("case", "user").all()[:500]


def emergency_grant(*, actor, case_code, reason, stepped_up):
    """Grant `actor` emergency access to the case; returns the grant
    (steps in the module docstring)."""
    if not may_break_glass(actor):
        raise AccessDenied("emergency access is for supervisors and admins")
    if not stepped_up:
        raise AccessDenied("emergency access needs a fresh code from your authenticator app")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("say why you need this case now", field="reason")
    guard_text(reason, field="reason")
    with transaction.atomic():
        case = case_for(actor, (case_code or "").strip().upper(), need=Need.BREAK_GLASS)
        if is_team_member(actor, case.team_id):
            raise ValidationFailed("you are in this case's team: open it as usual", field="case")
        now = timezone.now()
        grant = EmergencyGrant.objects.create(
            case=case,
            user=actor,
            reason=reason,
            granted_at=now,
            expires_at=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
        )
        events.security_event_record(
            events.BREAK_GLASS_GRANTED,
            user=actor,
            case=case,
            grant_id=grant.pk,
            minutes=settings.BREAK_GLASS_MINUTES,
            reason_sha256=content_hash(reason),
        )
        _tell_the_team(grant)
    return grant


def _tell_the_team(grant):
    case, grantee = grant.case, grant.user
    frame = frames.emergency_access_granted(grant)
    for supervisor in team_supervisors(case.team_id):
        publish_on_commit(user_group(supervisor.pk), frame)
        if supervisor.email:
            email_queue(
                to=supervisor.email,
                subject=f"[Consult] Emergency access to case {case.code}",
                due_at=grant.granted_at,
                body=(
                    f"{grantee.display_name} ({grantee.get_role_display()}), "
                    f"who is not in the team, opened case {case.code} under emergency access until "
                    f"{grant.expires_at:%Y-%m-%d %H:%M} UTC.\n"
                    f"The case's audit trail: {settings.SITE_URL}/cases/{case.code}/audit/\n"
                ),
            )


def expire_due_grants(now=None):
    """Claim each grant past its time, record its expiry and close its sockets (step 5)."""
    now = now or timezone.now()
    done = 0
    due = EmergencyGrant.objects.filter(
        expired_at__isnull=True, expires_at__lte=now
    ).select_related("case", "user")
    for grant in list(due[:BATCH]):
        with transaction.atomic():
            if not EmergencyGrant.objects.filter(pk=grant.pk, expired_at__isnull=True).update(
                expired_at=now
            ):
                continue  # another scheduler expired it
            events.security_event_record(
                events.BREAK_GLASS_EXPIRED,
                user=grant.user,
                actor=None,
                case=grant.case,
                grant_id=grant.pk,
            )
            close_user_case_sockets(grant.user_id, grant.case_id, code=WS_CLOSE_ACCESS_LOST)
            done += 1
    return done
