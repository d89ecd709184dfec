"""What the trail records: its actions, and the names of its streams.

Every event's action is one of `Action` (the append refuses any other), and docs/audit.md has
one row per action with its payload (tests/audit/test_actions_are_documented.py compares them).

A stream is one chain: a case's (`case:<code>`), a user's (`user:<id>`), a team's
(`team:<id>`), or the failed sign-ins of unknown usernames (`auth:unknown`). Every stream name
is made here, so the verifier, the exports and the writers agree on them.
"""

import enum


class Action(enum.StrEnum):
    # A case's trail (docs/audit.md, "How an event is written")
    CASE_CREATED = "case.created"
    CASE_EDITED = "case.edited"
    CASE_STATUS_CHANGED = "case.status_changed"
    CASE_RISK_CHANGED = "case.risk_changed"
    CASE_VIEWED = "case.viewed"
    MESSAGE_POSTED = "message.posted"
    ROOM_JOINED = "room.joined"
    HISTORY_READ = "history.read"
    SEARCH_RESULTS_READ = "search.results_read"
    ROOM_PARTICIPANT_ADDED = "room.participant_added"
    DEID_FALSE_ALARM_CONFIRMED = "deid.false_alarm_confirmed"
    DEID_REDACTED = "deid.redacted"
    TEAM_MEMBERSHIP_ADDED = "team.membership_added"
    TEAM_MEMBERSHIP_REMOVED = "team.membership_removed"
    AUDIT_EXPORTED = "audit.exported"
    SAFETY_PLAN_SAVED = "safety_plan.saved"
    GUIDANCE_LOGGED = "guidance.logged"
    GUIDANCE_AMENDED = "guidance.amended"
    GUIDANCE_ACKNOWLEDGED = "guidance.acknowledged"
    FOLLOWUP_SCHEDULED = "followup.scheduled"
    FOLLOWUP_COMPLETED = "followup.completed"
    FOLLOWUP_REMINDED = "followup.reminded"
    # Consults and pages: on the case's trail, or the requester's `user:<id>` without a case
    CONSULT_REQUESTED = "consult.requested"
    CONSULT_ESCALATED = "consult.escalated"
    CONSULT_UNANSWERED = "consult.unanswered"
    CONSULT_REPAGED = "consult.repaged"
    CONSULT_RESOLVED = "consult.resolved"
    PAGE_SENT = "page.sent"
    PAGE_REPEATED = "page.repeated"
    PAGE_SEEN = "page.seen"
    PAGE_ACKNOWLEDGED = "page.acknowledged"
    PAGE_DECLINED = "page.declined"
    SUPPORT_NOTIFIED = "support.notified"
    # A team's trail (`team:<id>`)
    SHIFT_ADDED = "shift.added"
    SHIFT_REMOVED = "shift.removed"
    PAGING_SETTINGS_CHANGED = "paging_settings.changed"
    REVIEW_SCHEDULED = "review.scheduled"
    REVIEW_OPENED = "review.opened"
    REVIEW_ATTENDED = "review.attended"
    REVIEW_AGENDA_MOVED = "review.agenda_moved"
    REVIEW_MINUTES_SAVED = "review.minutes_saved"
    REVIEW_MINUTES_RECORDED = "review.minutes_recorded"
    REVIEW_CLOSED = "review.closed"
    # A user's trail (`user:<id>`)
    HOURS_EXPORTED = "hours.exported"
    ADMIN_RECORD_VIEWED = "admin.record_viewed"
    # Security events (docs/audit.md, "Security events"; consult/accounts/security_events.py)
    AUTH_LOGIN_SUCCEEDED = "auth.login_succeeded"
    AUTH_LOGIN_FAILED = "auth.login_failed"
    AUTH_LOGIN_LOCKED = "auth.login_locked"
    AUTH_LOGOUT = "auth.logout"
    MFA_ENROLLED = "mfa.enrolled"
    MFA_VERIFIED = "mfa.verified"
    MFA_FAILED = "mfa.failed"
    SESSION_REVOKED = "session.revoked"
    ACCESS_DENIED = "access.denied"
    BREAK_GLASS_GRANTED = "break_glass.granted"
    BREAK_GLASS_EXPIRED = "break_glass.expired"


def case_stream(case_code):
    return f"case:{case_code}"


def user_stream(user_id):
    return f"user:{user_id}"


def team_stream(team_id):
    return f"team:{team_id}"


UNKNOWN_ACCOUNT_STREAM = "auth:unknown"
