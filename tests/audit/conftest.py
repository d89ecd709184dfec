"""Audit personas on top of tests/conftest.py.

dana  admin in East: no member of North, yet reads (only) the audit trail of every case
"""

import pytest
from django.db import connection

from consult.accounts.models import Role
from consult.audit.models import AuditEvent
from tests.conftest import make_user


@pytest.fixture
def dana(east):
    return make_user("dana", Role.ADMIN, east)


def trail(case, *, since_seq=0):
    """The case's events after `since_seq` as (seq, action, actor username, payload)."""
    events = AuditEvent.objects.filter(
        stream=f"case:{case.code}", seq__gt=since_seq
    ).select_related("actor")
    return [
        (e.seq, e.action, e.actor.username if e.actor else None, e.payload)
        for e in events.order_by("seq")
    ]


def last_seq(case):
    return AuditEvent.objects.filter(stream=f"case:{case.code}").count()


def as_superuser(sql, params=()):
    """Run SQL with the append-only trigger off, as an attacker holding the database's keys could.

    The test role is a superuser; the test's transaction rolls the ALTER TABLE back at the end.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SET CONSTRAINTS ALL IMMEDIATE"
        )  # ALTER TABLE waits for no deferred FK check
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        cursor.execute(sql, params)
        cursor.execute(
            "ALTER TABLE audit_auditevent ENABLE ALWAYS TRIGGER audit_auditevent_append_only"
        )
