"""Someone with the database can recompute every hash of a chain, but cannot sign the result."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from consult.audit import chain
from consult.audit.checkpoints import checkpoint_all_streams
from consult.audit.models import AuditCheckpoint, AuditEvent
from consult.audit.trail import event_rows, verify_trail
from consult.audit.verify import event_body
from consult.cases.services import message_post
from tests.audit.conftest import as_superuser

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def signed_case(alice, north_case):
    for n in range(4):
        message_post(actor=alice, case_code=north_case.code, client_id=f"m{n}", body=f"Note {n}")
    checkpoint_all_streams()
    return north_case


def rewrite_chain(case, seq, payload):
    """Change one event's payload and recompute every hash from there on, head included."""
    prev_hash = chain.GENESIS
    for row in list(event_rows(f"case:{case.code}")):
        if row["seq"] == seq:
            row["payload"] = payload
        row["prev_hash"] = prev_hash
        row["hash"] = chain.event_hash(prev_hash, event_body(row))
        as_superuser(
            "UPDATE audit_auditevent SET payload = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [
                chain.canonical_json(row["payload"]).decode(),
                row["prev_hash"],
                row["hash"],
                row["id"],
            ],
        )
        prev_hash = row["hash"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_audithead SET hash = %s WHERE stream = %s",
            [prev_hash, f"case:{case.code}"],
        )


def test_it_catches_a_rewritten_chain_at_the_signed_checkpoint(signed_case):
    checkpoint = AuditCheckpoint.objects.get(stream=f"case:{signed_case.code}")
    assert checkpoint.seq == 5
    forged = {
        **AuditEvent.objects.get(case=signed_case, seq=3).payload,
        "body_sha256": chain.content_hash("Other"),
    }
    rewrite_chain(signed_case, 3, forged)

    [report] = verify_trail(f"case:{signed_case.code}")
    assert [b.reason for b in report.breaks] == [
        "the hash differs from the one a signed checkpoint recorded: the chain was rewritten"
    ]
    with pytest.raises(
        CommandError, match=rf"case:{signed_case.code} seq 5 \(event id \d+\): the hash differs"
    ):
        call_command("audit_verify", stdout=io.StringIO())


def test_it_catches_a_forged_checkpoint_signature(signed_case, settings):
    settings.AUDIT_HMAC_KEY = "another-key-that-did-not-sign-these-checkpoints"
    [report] = verify_trail(f"case:{signed_case.code}")
    assert [(b.seq, b.reason) for b in report.breaks] == [
        (5, "a checkpoint's signature is not valid under AUDIT_HMAC_KEY: it was forged or altered")
    ]


def test_it_catches_deleted_checkpoints_by_the_hole_they_leave(alice, north_case, settings):
    settings.AUDIT_CHECKPOINT_EVERY = 3
    for n in range(7):
        message_post(actor=alice, case_code=north_case.code, client_id=f"m{n}", body=f"Note {n}")
    stream = f"case:{north_case.code}"
    assert list(AuditCheckpoint.objects.filter(stream=stream).values_list("seq", flat=True)) == [
        3,
        6,
    ]
    assert verify_trail(stream)[0].intact
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE audit_auditcheckpoint DISABLE TRIGGER audit_auditcheckpoint_append_only"
        )
        cursor.execute("DELETE FROM audit_auditcheckpoint WHERE stream = %s AND seq = 3", [stream])
    [report] = verify_trail(stream)
    assert [(b.seq, b.reason) for b in report.breaks] == [
        (4, "no signed checkpoint in the 6 events after seq 0: checkpoints were deleted")
    ]
