"""A superuser can switch the trigger off; audit_verify still finds the edited event and names
it."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from consult.audit.models import AuditEvent
from consult.cases.services import message_post
from tests.audit.conftest import as_superuser

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def busy_case(alice, bob, north_case):
    for n in range(5):
        message_post(
            actor=alice if n % 2 else bob,
            case_code=north_case.code,
            client_id=f"m{n}",
            body=f"Note {n}",
        )
    return north_case


def verify(*args):
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def test_it_reports_an_intact_trail_and_exits_zero(busy_case):
    assert (
        verify() == "OK: 1 streams, 6 events, 0 checkpoints: every chain and checkpoint verifies\n"
    )
    assert verify("--case", busy_case.code).startswith("OK: 1 streams, 6 events")


def test_it_names_the_event_whose_payload_was_edited(busy_case):
    event = AuditEvent.objects.get(case=busy_case, seq=4)
    as_superuser(
        "UPDATE audit_auditevent SET payload = jsonb_set(payload, '{seq}', '99') WHERE id = %s",
        [event.pk],
    )

    with pytest.raises(CommandError) as failure:
        verify("--case", busy_case.code)

    assert str(failure.value) == (
        f"audit trail broken (1 streams, 6 events, 0 checkpoints); first: case:{busy_case.code} "
        f"seq 4 (event id {event.pk}): its hash does not match its content: the event was changed "
        f"after it was written"
    )
    assert failure.value.returncode == 1


def test_it_names_the_gap_a_deleted_event_leaves(busy_case):
    event = AuditEvent.objects.get(case=busy_case, seq=3)
    as_superuser("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(CommandError, match=r"seq 4 \(event id \d+\): expected seq 3 here"):
        verify()


def test_it_notices_a_truncated_tail_from_the_head(busy_case):
    as_superuser("DELETE FROM audit_auditevent WHERE case_id = %s AND seq = 6", [busy_case.pk])
    with pytest.raises(CommandError, match="the head says seq 6 but the chain ends at seq 5"):
        verify()


def test_it_notices_an_event_moved_to_another_case(busy_case, alice, north):
    from consult.cases.services import case_create

    other = case_create(actor=alice, team_id=north.pk, title="Another case")
    event = AuditEvent.objects.get(case=busy_case, seq=2)
    as_superuser("UPDATE audit_auditevent SET case_id = %s WHERE id = %s", [other.pk, event.pk])
    with pytest.raises(CommandError, match=f"attached to case {other.code}, not to this stream"):
        verify()


def test_it_refuses_an_unknown_case():
    with pytest.raises(CommandError, match="no audit trail for case C-ZZZZZ"):
        verify("--case", "C-ZZZZZ")
