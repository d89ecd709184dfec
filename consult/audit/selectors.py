"""Reads of the trail, for the audit page and the false alarms' review. Access is checked by the
caller (consult/cases/access.py, consult/falsealarms/services.py)."""

from consult.accounts.models import User
from consult.audit.kinds import case_stream
from consult.audit.models import AuditEvent
from consult.audit.trail import verify_trail

PAGE_LIMIT = 500


def stream_events(streams, actions):
    """The events of `streams` whose action is one of `actions`, by stream and seq."""
    events = AuditEvent.objects.filter(stream__in=streams, action__in=actions)
    return list(events.order_by("stream", "seq"))


def case_event(event_id):
    """The event `event_id` with its case, or None when there is no such event on a case's trail."""
    return AuditEvent.objects.filter(pk=event_id, case__isnull=False).select_related("case").first()


def case_trail_report(case):
    reports = verify_trail(case_stream(case.code))
    return reports[0] if reports else None


def case_events(case, *, action="", actor_id=""):
    """The newest events first, filtered by action and actor, at most PAGE_LIMIT of them."""
    events = AuditEvent.objects.filter(stream=case_stream(case.code)).select_related("actor")
    if action:
        events = events.filter(action=action)
    if actor_id == "none":
        events = events.filter(actor__isnull=True)
    elif actor_id.isdigit():
        events = events.filter(actor_id=int(actor_id))
    return list(events.order_by("-seq")[:PAGE_LIMIT])


def case_actions(case):
    events = AuditEvent.objects.filter(stream=case_stream(case.code))
    return list(events.order_by("action").values_list("action", flat=True).distinct())


def case_actors(case):
    actor_ids = AuditEvent.objects.filter(
        stream=case_stream(case.code), actor__isnull=False
    ).values("actor_id")
    return list(User.objects.filter(pk__in=actor_ids).order_by("username"))
