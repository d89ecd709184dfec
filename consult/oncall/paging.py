"""Paging steps shared by the services and the scheduler. Each runs inside the caller's
transaction with the consult row locked, writes audit events and publishes after commit."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from consult.audit.kinds import Action, user_stream
from consult.audit.services import audit_append
from consult.cases.access import case_row_lock
from consult.cases.clinical import CRISIS_LINE, CRISIS_RESOURCES, EMERGENCY_SERVICES, resource_line
from consult.events import frames
from consult.events.serializers import consult_url
from consult.oncall import policy
from consult.oncall.deliveries import email_queue, webhook_queue
from consult.oncall.models import ACTIVE_STATES, Page, State, Tier
from consult.oncall.rota import paging_settings, team_supervisors, tier_recipients
from consult.realtime.broadcast import case_group, publish_on_commit, team_group, user_group

# What the requester is told when every tier was paged and nobody acknowledged.
UNANSWERED_MESSAGE = (
    "Nobody has acknowledged your urgent consult yet. If your client may be in "
    "danger, do not wait: use the crisis resources below. You can page the on-call again."
)


def audit_consult(consult, action, actor=None, **payload):
    if consult.case_id:
        case_row_lock(consult.case_id)  # case row before audit head: consult/cases/access.py
    stream = None if consult.case_id else user_stream(consult.requester_id)
    audit_append(
        action=action,
        actor=actor,
        case=consult.case,
        stream=stream,
        payload={"consult_id": consult.pk, **payload},
    )


def publish_consult(consult):
    """The consult's new state to its room, its requester and the team's supervisors."""
    frame = frames.consult_updated(consult)
    if consult.case_id:
        publish_on_commit(case_group(consult.case_id), frame)
        # The case list's "consult open" mark, for every member of the team: no question,
        # no state detail.
        publish_on_commit(
            team_group(consult.team_id),
            frames.case_consult(code=consult.case.code, active=consult.state in ACTIVE_STATES),
        )
    people = {consult.requester_id} | {u.pk for u in team_supervisors(consult.team_id)}
    for person_id in people:
        publish_on_commit(user_group(person_id), frame)


def situation(consult, now):
    current = Page.objects.filter(consult=consult, round=consult.round, tier=consult.tier)
    declined = current.exists() and not current.filter(declined_at__isnull=True).exists()
    staffed = frozenset(
        t for t in Tier.values if t > consult.tier and tier_recipients(consult, t, now=now)
    )
    return policy.Situation(
        state=consult.state,
        tier=consult.tier,
        escalate_at=consult.escalate_at,
        tier_declined=declined,
        staffed_tiers=staffed,
    )


def escalation_step(consult, *, now=None, reason="deadline"):
    """Ask the policy what comes next and do it; returns the policy's action."""
    now = now or timezone.now()
    action = policy.next_action(situation(consult, now), now)
    if action.kind == "page":
        if consult.tier:
            audit_consult(
                consult,
                Action.CONSULT_ESCALATED,
                from_tier=consult.tier,
                to_tier=action.tier,
                reason=reason,
            )
        page_tier(consult, action.tier, now)
    elif action.kind == "unanswered":
        mark_unanswered(consult)
    if action.kind in ("page", "unanswered"):
        publish_consult(consult)
    return action


def page_tier(consult, tier, now):
    settings_ = paging_settings(consult.team_id)
    consult.tier = tier
    consult.escalate_at = now + timedelta(seconds=settings_.ack_seconds)
    consult.save(update_fields=["tier", "escalate_at", "updated_at"])
    for person in tier_recipients(consult, tier, now=now):
        page = Page.objects.create(
            consult=consult,
            recipient=person,
            tier=tier,
            round=consult.round,
            sent_at=now,
            next_repeat_at=now + timedelta(seconds=settings_.repeat_seconds),
        )
        audit_consult(
            consult,
            Action.PAGE_SENT,
            recipient_id=person.pk,
            page_id=page.pk,
            tier=tier,
            round=consult.round,
        )
        send_page(page, consult)
        queue_outbound(consult, person, settings_, tier_label=Tier(tier).label)


def send_page(page, consult):
    publish_on_commit(user_group(page.recipient_id), frames.page(page, consult))


def queue_outbound(consult, person, settings_, *, tier_label):
    """E-mail and webhook rows for the scheduler. Case code, urgency and a link:
    nothing clinical."""
    what = f"case {consult.case.code}" if consult.case_id else "a colleague's support request"
    link = settings.SITE_URL + consult_url(consult.pk)
    if person.email:
        email_queue(
            to=person.email,
            subject=f"[Consult] {consult.kind.title()} consult, {what}: please acknowledge",
            body=(
                f"You are paged ({tier_label}) for an {consult.kind} consult on {what}.\n"
                f"Acknowledge or decline here: {link}\n"
            ),
        )
    if settings_.webhook_url:
        webhook_queue(
            url=settings_.webhook_url,
            payload={
                "event": "page",
                "case": consult.case.code if consult.case_id else None,
                "urgency": consult.kind,
                "tier": tier_label,
                "recipient": person.username,
                "url": link,
            },
        )


def support_notify(consult):
    """A support request pages nobody (no tier is on call for a colleague's wellbeing), but every
    supervisor of the team hears of it: in the app on any page (the `consult.updated` frame that
    publish_consult sends them; notifier.js shows it with Acknowledge) and by e-mail, which names
    the team and a link only. One of them takes it with page_acknowledge;
    the requester sees who and when."""
    supervisors = [
        person for person in team_supervisors(consult.team_id) if person.pk != consult.requester_id
    ]
    link = settings.SITE_URL + consult_url(consult.pk)
    for person in supervisors:
        if person.email:
            email_queue(
                to=person.email,
                subject=f"[Consult] Support request in team {consult.team.name}",
                body=(
                    f"A colleague in team {consult.team.name} asked a supervisor for "
                    f"support (about themselves, not a case). One of you takes it here: {link}\n"
                ),
            )
    audit_consult(
        consult, Action.SUPPORT_NOTIFIED, recipient_ids=sorted(person.pk for person in supervisors)
    )
    publish_consult(consult)
    return supervisors


def mark_unanswered(consult):
    """Nobody is left to page: the requester is told so plainly, with the crisis resources."""
    consult.state = State.UNANSWERED
    consult.escalate_at = None
    consult.save(update_fields=["state", "escalate_at", "updated_at"])
    audit_consult(consult, Action.CONSULT_UNANSWERED, tier=consult.tier, round=consult.round)
    frame = frames.consult_unanswered(
        consult, message=UNANSWERED_MESSAGE, resources=list(CRISIS_RESOURCES)
    )
    publish_on_commit(user_group(consult.requester_id), frame)
    if consult.case_id:
        publish_on_commit(case_group(consult.case_id), frame)
    if consult.requester.email:
        what = f"case {consult.case.code}" if consult.case_id else "your support request"
        email_queue(
            to=consult.requester.email,
            subject=f"[Consult] Nobody has answered your {consult.kind} consult ({what})",
            body=(
                "Nobody has acknowledged yet. In an emergency:\n"
                f"{resource_line(CRISIS_LINE)}\n{resource_line(EMERGENCY_SERVICES)}\n"
                f"Page again: {settings.SITE_URL + consult_url(consult.pk)}\n"
            ),
        )


def close_pages(consult, now, *, round_=None):
    """Stop every open page of the consult (all rounds, or one) from repeating."""
    pages = Page.objects.filter(consult=consult, closed_at__isnull=True)
    if round_ is not None:
        pages = pages.filter(round=round_)
    pages.update(closed_at=now, next_repeat_at=None)
