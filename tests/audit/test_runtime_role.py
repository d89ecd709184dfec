"""As the least-privilege runtime role (consult/core/dbroles.py): the application works, and the
audit trail cannot be updated, deleted or truncated, whatever SQL is sent.

The role is created inside the test's transaction (PostgreSQL's CREATE ROLE is transactional),
granted exactly what `manage.py migrate` grants it, and the test's connection switches to it with
SET LOCAL ROLE; the rollback at the end removes all of it."""

import uuid
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from consult.accounts.models import User
from consult.audit.checkpoints import checkpoint_all_streams
from consult.audit.checks import runtime_role_problems
from consult.audit.models import AuditCheckpoint, AuditEvent
from consult.audit.trail import verify_trail
from consult.cases.services import case_create, case_edit, message_post
from consult.core import dbroles
from consult.oncall.models import ConsultRequest, Kind, State
from consult.records.followups.services import followup_schedule
from consult.scheduler import loop as scheduler
from tests.records.test_permission_matrix_roles import ACTIONS, statuses
from tests.records.world import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def current_user():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


@pytest.fixture
def runtime_role(db):
    """The test connection acts as a fresh runtime role until the test's transaction rolls back."""
    name = f"consult_test_runtime_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{name}" NOLOGIN NOSUPERUSER')
    dbroles.grant_runtime(connection, name)
    with connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{name}"')
    assert current_user() == name
    return name


def denied(sql, params=(), match="permission denied"):
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_it_may_not_update_delete_or_truncate_the_audit_tables(runtime_role, alice, north_case):
    message_post(
        actor=alice, case_code=north_case.code, client_id="m1", body="Slept better this week"
    )
    assert checkpoint_all_streams() >= 1
    event = AuditEvent.objects.filter(case=north_case).first()
    for table in ("audit_auditevent", "audit_auditcheckpoint"):
        denied(f"UPDATE {table} SET hash = repeat('0', 64)")
        denied(f"DELETE FROM {table}")
        denied(f"TRUNCATE {table} CASCADE")
    denied(
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only",
        match="must be owner",
    )
    denied("DROP TRIGGER audit_auditevent_no_truncate ON audit_auditevent", match="must be owner")
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="case.viewed")
    assert AuditEvent.objects.get(pk=event.pk).hash == event.hash
    assert AuditCheckpoint.objects.exists()
    assert all(report.intact for report in verify_trail())


def test_it_owns_nothing_and_the_role_check_is_satisfied(runtime_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
        assert cursor.fetchone() == (0,)
    assert runtime_role_problems(connection, runtime_role) == []


def test_the_application_works_as_the_runtime_role(
    runtime_role, alice, bob, carol, oscar, north, north_case
):
    """Records, messages, edits, follow-ups, consults, reviews, the scheduler and HTTP requests
    (sessions included) as the runtime role; the trail they wrote verifies."""
    case = case_create(
        actor=alice, team_id=north.pk, title="Second case", summary="New referral", risk_level="low"
    )
    for n in range(3):
        message_post(actor=alice, case_code=case.code, client_id=f"m{n}", body=f"Update {n}")
    message_post(
        actor=alice,
        case_code=case.code,
        client_id="fix",
        body="Update 2, corrected",
        corrects_seq=3,
    )
    case_edit(
        actor=alice,
        case_code=case.code,
        title="Second case (renamed)",
        summary="New referral",
        status=case.status,
        reason="clearer title",
    )
    world = build_world(alice, bob, carol, oscar, north, north_case)
    world.users["superuser"] = User.objects.create_superuser(
        "root", password="pw-root", role="admin"
    )
    world.followup = followup_schedule(
        actor=bob, case_code=north_case.code, due_at=timezone.now() - timedelta(minutes=1)
    )
    world.unanswered = ConsultRequest.objects.create(
        kind=Kind.URGENT,
        team=north,
        case=north_case,
        requester=alice,
        question="Is a plan enough?",
        state=State.UNANSWERED,
        tier=3,
    )
    client = Client()
    for name, (url, data, expected) in ACTIONS.items():
        data = data(world) if callable(data) else data
        assert statuses(client, world, url(world), data) == expected, name
    client.force_login(alice)
    assert client.get(f"/cases/{case.code}/").status_code == 200
    assert client.get("/cases/").status_code == 200
    scheduler.tick(timezone.now() + timedelta(days=2))
    checkpoint_all_streams()
    assert current_user() == runtime_role
    reports = verify_trail()
    assert reports and all(report.intact for report in reports), [
        str(b) for r in reports for b in r.breaks
    ]
