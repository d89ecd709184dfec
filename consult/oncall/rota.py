"""Who is on call, and the changes supervisors make to the rota and the team's paging settings."""

from django.db import transaction
from django.utils import timezone

from consult.accounts.models import Role, Team, User
from consult.audit.false_alarms import false_alarms_audit
from consult.audit.kinds import Action, team_stream
from consult.audit.services import audit_append
from consult.cases.access import is_team_member, is_team_supervisor
from consult.core.errors import AccessDenied, NotFound, ValidationFailed
from consult.deid.guard import guard_url, url_words
from consult.oncall.models import Page, Shift, TeamPagingSettings, Tier
from consult.oncall.webhooks import webhook_url_check

SUPERVISOR_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def paging_settings(team_id):
    settings, _ = TeamPagingSettings.objects.get_or_create(team_id=team_id)
    return settings


def on_call_now(team_id, *, now=None):
    """Current shifts of a team, primary first."""
    now = now or timezone.now()
    return list(
        Shift.objects.filter(team_id=team_id, starts_at__lte=now, ends_at__gt=now)
        .select_related("supervisor")
        .order_by("tier", "starts_at")
    )


def team_supervisors(team_id):
    return list(
        User.objects.filter(memberships__team_id=team_id, role__in=SUPERVISOR_ROLES, is_active=True)
    )


def tier_recipients(consult, tier, *, now=None):
    """Who a tier newly pages for this consult now.

    Anyone already paged this round is skipped: who declined said no, and who holds an open page
    (a supervisor both primary and backup, or on call and then paged with the whole team) keeps
    hearing that one page repeat. One person, one page row, one notification per consult.
    """
    if tier == Tier.TEAM:
        people = team_supervisors(consult.team_id)
    else:
        people = [s.supervisor for s in on_call_now(consult.team_id, now=now) if s.tier == tier]
    paged = set(
        Page.objects.filter(consult=consult, round=consult.round).values_list(
            "recipient_id", flat=True
        )
    )
    unique = {person.pk: person for person in people if person.pk not in paged and person.is_active}
    return list(unique.values())


def can_manage_rota(user, team_id):
    """The team's own supervisors only: a superuser on no team is not one of them."""
    return is_team_supervisor(user, team_id)


def _managed_team(actor, team_id):
    if not can_manage_rota(actor, team_id):
        raise AccessDenied("only the team's supervisors manage its rota", field="team")
    return Team.objects.get(pk=team_id)


def shift_add(*, actor, team_id, supervisor_id, tier, starts_at, ends_at):
    team = _managed_team(actor, team_id)
    if tier not in (Tier.PRIMARY, Tier.BACKUP):
        raise ValidationFailed("tier must be primary or backup", field="tier")
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ValidationFailed("a shift must end after it starts", field="ends_at")
    if supervisor_id not in {u.pk for u in team_supervisors(team.pk)}:
        raise ValidationFailed(
            "the on-call person must be a supervisor of the team", field="supervisor"
        )
    with transaction.atomic():
        shift = Shift.objects.create(
            team=team,
            supervisor_id=supervisor_id,
            tier=tier,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=actor,
        )
        audit_append(
            action=Action.SHIFT_ADDED,
            actor=actor,
            stream=team_stream(team.pk),
            payload={
                "shift_id": shift.pk,
                "supervisor_id": supervisor_id,
                "tier": int(tier),
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
            },
        )
    return shift


def shift_remove(*, actor, shift_id):
    shift = Shift.objects.filter(pk=shift_id).first()
    if shift is None or not is_team_member(actor, shift.team_id):
        raise NotFound("no such shift")  # another team's shift answers like a missing one
    _managed_team(actor, shift.team_id)
    with transaction.atomic():
        audit_append(
            action=Action.SHIFT_REMOVED,
            actor=actor,
            stream=team_stream(shift.team_id),
            payload={"shift_id": shift.pk, "supervisor_id": shift.supervisor_id},
        )
        shift.delete()


def paging_settings_update(*, actor, team_id, ack_seconds, webhook_url="", confirmations=()):
    """`confirmations`: spans of the webhook's url_words the supervisor confirmed identify no
    one."""
    _managed_team(actor, team_id)
    if not 1 <= ack_seconds <= 3600:
        raise ValidationFailed(
            "the acknowledgement deadline must be 1 s to 1 h", field="ack_seconds"
        )
    if webhook_url:
        webhook_url_check(webhook_url)  # https, and not to an address inside our network
        # The URL leaves the app: nothing it carries may identify anyone.
        accepted = guard_url(webhook_url, field="webhook_url", confirmations=confirmations)
    with transaction.atomic():
        settings = paging_settings(team_id)
        settings.ack_seconds, settings.webhook_url = ack_seconds, webhook_url
        settings.save()
        audit_append(
            action=Action.PAGING_SETTINGS_CHANGED,
            actor=actor,
            stream=team_stream(team_id),
            payload={"ack_seconds": ack_seconds, "webhook_set": bool(webhook_url)},
        )
        if webhook_url:
            false_alarms_audit(
                actor=actor,
                case=None,
                stream=team_stream(team_id),
                record={"team_id": team_id},
                accepted={"webhook_url": accepted},
                texts={"webhook_url": url_words(webhook_url)},
            )
    return settings
