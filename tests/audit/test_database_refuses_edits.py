"""The database itself refuses to change or delete audit rows, whoever asks and however."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models.deletion import ProtectedError

from consult.audit.checkpoints import checkpoint_all_streams
from consult.audit.models import AuditCheckpoint, AuditEvent
from consult.cases.models import Case

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def refused(sql, params=()):
    with pytest.raises(DatabaseError, match="audit rows are append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SET CONSTRAINTS ALL IMMEDIATE"
            )  # TRUNCATE waits for no deferred FK check
            cursor.execute(sql, params)


def test_it_refuses_an_update_of_an_event_by_sql(north_case):
    event = AuditEvent.objects.get(case=north_case)
    refused("UPDATE audit_auditevent SET payload = '{}' WHERE id = %s", [event.pk])
    refused("UPDATE audit_auditevent SET action = 'case.created'")
    assert AuditEvent.objects.get(pk=event.pk).payload == event.payload


def test_it_refuses_a_delete_of_an_event_by_sql(north_case):
    refused("DELETE FROM audit_auditevent WHERE case_id = %s", [north_case.pk])
    assert AuditEvent.objects.filter(case=north_case).count() == 1


def test_it_refuses_changes_to_checkpoints_too(north_case):
    checkpoint_all_streams()
    refused("UPDATE audit_auditcheckpoint SET hash = repeat('0', 64)")
    refused("DELETE FROM audit_auditcheckpoint")
    assert AuditCheckpoint.objects.count() == 1


def test_it_refuses_bulk_orm_writes_that_skip_the_model(north_case):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(case=north_case).update(action="case.viewed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(case=north_case).delete()


def test_it_refuses_changes_in_the_model_layer(north_case):
    event = AuditEvent.objects.get(case=north_case)
    event.payload = {}
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_it_refuses_to_delete_a_case_that_has_a_trail(north_case):
    with pytest.raises(ProtectedError):
        Case.objects.filter(pk=north_case.pk).delete()


def test_it_refuses_to_truncate_the_audit_tables(north_case):
    checkpoint_all_streams()
    refused("TRUNCATE audit_auditevent CASCADE")
    refused("TRUNCATE audit_auditcheckpoint")
    refused("TRUNCATE cases_case CASCADE")  # reaches audit_auditevent through its foreign key
    assert AuditEvent.objects.filter(case=north_case).count() == 1
    assert AuditCheckpoint.objects.count() == 1


def test_a_superuser_in_replica_mode_is_still_refused(north_case):
    """session_replication_role = replica silences ordinary triggers; these fire ALWAYS."""
    checkpoint_all_streams()
    event = AuditEvent.objects.get(case=north_case)
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (True,)  # the test role: whoever holds the database's keys
        cursor.execute("SET LOCAL session_replication_role = replica")
    refused("UPDATE audit_auditevent SET payload = '{}' WHERE id = %s", [event.pk])
    refused("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    refused("UPDATE audit_auditcheckpoint SET hash = repeat('0', 64)")
    refused("TRUNCATE audit_auditevent CASCADE")
    refused("TRUNCATE audit_auditcheckpoint")
    assert AuditEvent.objects.get(pk=event.pk).payload == event.payload


def test_it_has_every_append_only_trigger_enabled_always_after_all_migrations():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'A'")
        names = {name for (name,) in cursor.fetchall()}
    assert {
        "audit_auditevent_append_only",
        "audit_auditcheckpoint_append_only",
        "audit_auditevent_no_truncate",
        "audit_auditcheckpoint_no_truncate",
    } <= names


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_can_still_reset_the_database(north_case):
    """The suite's flush (TRUNCATE between transactional tests) lifts the guard in its own
    transaction only: afterwards the tables are empty and the guard is on again."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_auditevent_no_truncate'"
        )
        assert cursor.fetchone() == ("A",)
