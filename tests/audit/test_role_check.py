"""The database check (audit.W001-W003) warns when the application's role could erase the trail:
it owns the audit tables, is a superuser, or holds UPDATE, DELETE or TRUNCATE on them."""

import uuid

import pytest
from django.core.checks import Warning
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from consult.audit.checks import check_runtime_role, runtime_role_problems
from consult.core import dbroles

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def ids(problems):
    return sorted(problem.id for problem in problems)


def new_role():
    name = f"consult_test_role_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{name}" NOLOGIN')  # rolled back with the test's transaction
    return name


def test_it_warns_that_the_test_suites_superuser_owns_the_tables():
    problems = check_runtime_role(databases=["default"])
    assert ids(problems) == ["audit.W001", "audit.W002"]
    assert all(isinstance(problem, Warning) for problem in problems)
    assert "is a superuser" in problems[0].msg + problems[1].msg


def test_check_database_fails_at_warning_level_with_that_role():
    with pytest.raises(SystemCheckError, match="audit.W002"):
        call_command("check", databases=["default"], fail_level="WARNING")


def test_it_asks_for_no_connection_without_databases():
    """`check --deploy` without --database (tests/deploy/test_check_deploy.py) stays quiet."""
    assert check_runtime_role(databases=None) == []


def test_it_warns_when_a_plain_role_owns_the_audit_tables():
    role = new_role()
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE audit_auditevent OWNER TO "{role}"')
    problems = runtime_role_problems(connection, role)
    assert ids(problems) == ["audit.W001"]
    assert "owns audit_auditevent" in problems[0].msg


def test_it_warns_when_the_runtime_role_may_update_the_trail():
    role = new_role()
    dbroles.grant_runtime(connection, role)
    assert runtime_role_problems(connection, role) == []
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT UPDATE ON audit_auditcheckpoint TO "{role}"')
    problems = runtime_role_problems(connection, role)
    assert ids(problems) == ["audit.W003"]
    assert "audit_auditcheckpoint" in problems[0].msg


def test_it_reads_the_role_of_database_url_not_the_connections(monkeypatch, settings):
    """`migrate` runs the check connected as the owner; it is DATABASE_URL's role that counts."""
    role = new_role()
    dbroles.grant_runtime(connection, role)
    monkeypatch.setitem(settings.DATABASES["default"], "USER", role)
    assert check_runtime_role(databases=["default"]) == []
