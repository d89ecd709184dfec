"""Heads are signed every AUDIT_CHECKPOINT_EVERY events,
and by the periodic command when they moved."""

import io

import pytest
from django.core.management import call_command

from consult.audit import chain
from consult.audit.checkpoints import checkpoint_all_streams
from consult.audit.models import AuditCheckpoint, AuditEvent
from consult.cases.services import message_post
from consult.core.checks import check_audit_hmac_key

pytestmark = pytest.mark.django_db


def signed(stream):
    return list(
        AuditCheckpoint.objects.filter(stream=stream).order_by("seq").values_list("seq", "hash")
    )


def test_it_signs_the_head_every_n_events_in_the_same_transaction(alice, north_case, settings):
    settings.AUDIT_CHECKPOINT_EVERY = 2
    message_post(actor=alice, case_code=north_case.code, client_id="a", body="First")
    message_post(actor=alice, case_code=north_case.code, client_id="b", body="Second")
    stream = f"case:{north_case.code}"
    event = AuditEvent.objects.get(stream=stream, seq=2)
    checkpoint = AuditCheckpoint.objects.get(stream=stream)
    assert (checkpoint.seq, checkpoint.hash, checkpoint.signed_at) == (
        2,
        event.hash,
        event.created_at,
    )
    body = chain.checkpoint_body(
        stream=stream, seq=2, hash=event.hash, signed_at=chain.timestamp(event.created_at)
    )
    assert checkpoint.hmac == chain.checkpoint_hmac(settings.AUDIT_HMAC_KEY, body)


def test_it_signs_only_the_heads_that_moved(alice, north_case):
    stream = f"case:{north_case.code}"
    out = io.StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert out.getvalue() == "signed 1 stream heads\n"
    assert signed(stream) == [(1, AuditEvent.objects.get(stream=stream, seq=1).hash)]

    assert checkpoint_all_streams() == 0  # nothing moved since
    message_post(actor=alice, case_code=north_case.code, client_id="a", body="First")
    assert checkpoint_all_streams() == 1
    assert [seq for seq, _ in signed(stream)] == [1, 2]


def test_it_refuses_the_development_key_in_deployment(settings):
    settings.AUDIT_HMAC_KEY = settings.DEV_AUDIT_HMAC_KEY
    assert [error.id for error in check_audit_hmac_key(None)] == ["audit.E001"]
    settings.AUDIT_HMAC_KEY = "short"
    assert [error.id for error in check_audit_hmac_key(None)] == ["audit.E002"]
    settings.AUDIT_HMAC_KEY = "k" * 40
    assert check_audit_hmac_key(None) == []
