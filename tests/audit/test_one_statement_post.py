"""A plain post on PostgreSQL is one autocommit statement (consult/cases/store.py): message,
room seq and audit event are stored together or not at all, and the chain it extends verifies.

These tests run outside a test transaction, as the sockets do; inside one, posts take the
general path (tests/audit/test_room_events.py covers that).
"""

import pytest
from django.db import DatabaseError, connection

from consult.accounts.models import Membership
from consult.audit import chain
from consult.audit.models import AuditCheckpoint, AuditEvent
from consult.audit.trail import verify_trail
from consult.cases.models import Case, Message
from consult.cases.services import message_post
from consult.core.errors import AccessDenied
from tests.support.audit import last_seq, trail

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def post(user, case, client_id, body, **kwargs):
    return message_post(actor=user, case_code=case.code, client_id=client_id, body=body, **kwargs)


@pytest.fixture
def audit_inserts_fail():
    """The database refuses every message.posted event, as a full disk or a broken replica would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_event() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'no space left for the event'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER test_refuse_event BEFORE INSERT ON audit_auditevent FOR EACH ROW "
            "WHEN (NEW.action = 'message.posted') EXECUTE FUNCTION test_refuse_event()"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse_event ON audit_auditevent")
        cursor.execute("DROP FUNCTION test_refuse_event()")


def test_it_stores_the_message_and_its_event_with_the_same_seq_and_hash_as_python_would(
    alice, north_case
):
    before = last_seq(north_case)
    result = post(alice, north_case, "m1", "Is a safety plan enough?")
    post(alice, north_case, "m2", "And a follow-up **tomorrow**?")

    assert (result.duplicate, result.message.seq) == (False, 1)
    assert list(
        Message.objects.filter(case=north_case).values_list("seq", "client_id", "body_html")
    ) == [
        (1, "m1", "<p>Is a safety plan enough?</p>"),
        (2, "m2", "<p>And a follow-up <strong>tomorrow</strong>?</p>"),
    ]
    assert Case.objects.get(pk=north_case.pk).last_seq == 2
    assert trail(north_case, after=before, seq=True) == [
        (
            before + 1,
            "message.posted",
            "alice",
            {
                "seq": 1,
                "body_sha256": chain.content_hash("Is a safety plan enough?"),
                "corrects_seq": None,
            },
        ),
        (
            before + 2,
            "message.posted",
            "alice",
            {
                "seq": 2,
                "body_sha256": chain.content_hash("And a follow-up **tomorrow**?"),
                "corrects_seq": None,
            },
        ),
    ]
    event = AuditEvent.objects.get(stream=f"case:{north_case.code}", seq=before + 1)
    body = chain.event_body(
        stream=event.stream,
        seq=event.seq,
        created_at=chain.timestamp(event.created_at),
        actor_id=alice.pk,
        action="message.posted",
        payload=event.payload,
    )
    assert event.hash == chain.event_hash(event.prev_hash, body)
    assert event.case_id == north_case.pk
    [report] = verify_trail(f"case:{north_case.code}")
    assert report.intact


def test_it_stores_a_retry_once_and_answers_with_the_stored_message(alice, north_case):
    before = last_seq(north_case)
    first = post(alice, north_case, "m1", "Sent twice")
    again = post(alice, north_case, "m1", "Sent twice")
    assert (again.duplicate, again.message.pk, again.message.seq) == (True, first.message.pk, 1)
    assert Message.objects.filter(case=north_case).count() == 1
    assert last_seq(north_case) == before + 1


def test_it_refuses_a_former_member_and_stores_nothing(alice, north_case):
    Membership.objects.filter(user=alice).delete()
    before = last_seq(north_case)
    with pytest.raises(AccessDenied):
        post(alice, north_case, "m1", "Still here?")
    assert not Message.objects.filter(case=north_case).exists()
    assert last_seq(north_case) == before


def test_it_stores_no_message_and_takes_no_seq_when_the_event_is_refused(
    alice, north_case, audit_inserts_fail
):
    before = last_seq(north_case)
    with pytest.raises(DatabaseError):
        post(alice, north_case, "m1", "Is a safety plan enough?")
    assert not Message.objects.filter(case=north_case).exists()
    assert Case.objects.get(pk=north_case.pk).last_seq == 0
    assert last_seq(north_case) == before


def test_it_signs_the_head_when_a_checkpoint_is_due(alice, north_case, settings):
    settings.AUDIT_CHECKPOINT_EVERY = 2
    before = last_seq(north_case)
    for n in range(3):
        post(alice, north_case, f"m{n}", f"Line {n}")
    signed = AuditCheckpoint.objects.filter(stream=f"case:{north_case.code}").values_list(
        "seq", flat=True
    )
    assert sorted(signed) == [seq for seq in range(1, before + 4) if seq % 2 == 0]
    [report] = verify_trail(f"case:{north_case.code}")
    assert report.intact
