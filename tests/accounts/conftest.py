"""Helpers for the security-event tests: read a user's stream the way the trail stores it."""

from consult.audit.models import AuditEvent


def security_trail(stream):
    """(action, actor username, payload) of a stream's events, oldest first."""
    events = AuditEvent.objects.filter(stream=stream).select_related("actor").order_by("seq")
    return [(e.action, e.actor.username if e.actor else None, e.payload) for e in events]


def user_trail(user):
    return security_trail(f"user:{user.pk}")


def sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})
