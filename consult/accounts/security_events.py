"""Security events on the audit trail: who signed in, failed, was locked out, was refused.

One function, `security_event_record`, appends an event to the user's stream (`user:<id>`) and,
when a case is involved, to the case's stream too, so a case's chain shows who was refused it or
broke the glass on it. Payloads are ids and codes only: a value that is not a number, a boolean
or a short token (`[A-Za-z0-9_.:-]`) is refused, so free text cannot reach the trail by mistake.

Failed sign-ins for a username that matches no account go to the stream `auth:unknown`, with the
SHA-256 of the username (never the name typed, which may be a password typed in the wrong box).
"""

import re

from django.db import transaction

from consult.audit.kinds import UNKNOWN_ACCOUNT_STREAM, Action, case_stream, user_stream
from consult.audit.services import audit_append

LOGIN_SUCCEEDED = Action.AUTH_LOGIN_SUCCEEDED
LOGIN_FAILED = Action.AUTH_LOGIN_FAILED
LOGIN_LOCKED = Action.AUTH_LOGIN_LOCKED
LOGOUT = Action.AUTH_LOGOUT
MFA_ENROLLED = Action.MFA_ENROLLED
MFA_VERIFIED = Action.MFA_VERIFIED
MFA_FAILED = Action.MFA_FAILED
SESSION_REVOKED = Action.SESSION_REVOKED
ACCESS_DENIED = Action.ACCESS_DENIED
BREAK_GLASS_GRANTED = Action.BREAK_GLASS_GRANTED
BREAK_GLASS_EXPIRED = Action.BREAK_GLASS_EXPIRED

ACTIONS = frozenset(
    {
        LOGIN_SUCCEEDED,
        LOGIN_FAILED,
        LOGIN_LOCKED,
        LOGOUT,
        MFA_ENROLLED,
        MFA_VERIFIED,
        MFA_FAILED,
        SESSION_REVOKED,
        ACCESS_DENIED,
        BREAK_GLASS_GRANTED,
        BREAK_GLASS_EXPIRED,
    }
)
TOKEN = re.compile(r"[A-Za-z0-9_.:\-]{1,100}")
THE_USER = object()  # the default actor: the user the event is about


def security_event_record(action, *, user, actor=THE_USER, case=None, **ids):
    """Append `action` to `user`'s stream (and `case`'s, when given) in one transaction.

    `user` is whom the event is about (None: an unknown account, see the module docstring);
    `actor` who did it: by default the user; someone else (an admin revoking a session), or None
    when nobody known did (a failed sign-in names the account tried, not who tried it). Joins the
    caller's transaction when there is one, so it commits or rolls back with it.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown security event {action!r}")
    payload = _checked_payload(ids)
    actor = user if actor is THE_USER else actor
    with transaction.atomic():
        stream = user_stream(user.pk) if user is not None else UNKNOWN_ACCOUNT_STREAM
        if case is not None:
            payload = {**payload, "case": case.code}
        events = [audit_append(action=action, actor=actor, stream=stream, payload=payload)]
        if case is not None:
            events.append(
                audit_append(
                    action=action,
                    actor=actor,
                    case=case,
                    stream=case_stream(case.code),
                    payload={**payload, "user_id": user.pk} if user is not None else payload,
                )
            )
    return events


def _checked_payload(ids):
    for key, value in ids.items():
        if value is None or isinstance(value, (bool, int)):
            continue
        if isinstance(value, str) and TOKEN.fullmatch(value):
            continue
        raise ValueError(f"security event field {key!r} must be an id or a code, not text")
    return dict(ids)
