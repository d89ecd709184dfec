"""No action without its event, no event without its action: they commit or roll back together."""

from unittest import mock

import pytest

from consult.audit import services as audit_services
from consult.audit import sql as audit_sql
from consult.audit.models import AuditEvent
from consult.cases.models import Message
from consult.cases.services import message_post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def general_path():
    """The transaction of the general posting path; a plain post's single statement is all or
    nothing by itself (tests/audit/test_one_statement_post.py)."""
    with mock.patch("consult.cases.store._plain_post", return_value=None):
        yield


def post(alice, case):
    message_post(actor=alice, case_code=case.code, client_id="m1", body="Is a safety plan enough?")


def test_it_stores_no_message_when_its_event_cannot_be_written(alice, north_case):
    # On PostgreSQL the message's event is appended in the message's own INSERT
    # (append_in_statement); elsewhere the usual way.
    with (
        mock.patch.object(audit_sql, "append_in_statement", side_effect=RuntimeError("disk full")),
        mock.patch.object(audit_sql, "_append_portable", side_effect=RuntimeError("disk full")),
    ):
        with pytest.raises(RuntimeError):
            post(alice, north_case)
    assert not Message.objects.filter(case=north_case).exists()
    assert list(AuditEvent.objects.filter(case=north_case).values_list("action", flat=True)) == [
        "case.created"
    ]


def test_it_keeps_no_event_when_the_action_fails_after_it(alice, north_case):
    with mock.patch(
        "consult.cases.services.publish_on_commit", side_effect=RuntimeError("late failure")
    ):
        with pytest.raises(RuntimeError):
            post(alice, north_case)
    assert not Message.objects.filter(case=north_case).exists()
    assert list(AuditEvent.objects.filter(case=north_case).values_list("action", flat=True)) == [
        "case.created"
    ]


def test_it_refuses_to_append_outside_a_transaction(alice, north_case):
    with pytest.raises(RuntimeError, match="inside the action's transaction"):
        audit_services.audit_append(action="case.viewed", actor=alice, case=north_case)
