"""The audit tests' own helper: an attacker's edit of the trail (read it with support/audit.py)."""

from django.db import connection


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
