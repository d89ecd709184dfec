"""Ten connections posting into one room at once leave one gapless chain that verifies."""

import threading

import pytest
from django.db import connections

from consult.audit.models import AuditEvent
from consult.audit.trail import verify_trail
from consult.cases.models import Message
from consult.cases.services import message_post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

THREADS = 10
MESSAGES_EACH = 100


def poster(user, case, thread_no, errors):
    try:
        for n in range(MESSAGES_EACH):
            message_post(
                actor=user,
                case_code=case.code,
                client_id=f"t{thread_no}-{n}",
                body=f"Note {thread_no}.{n}",
            )
    except Exception as error:  # noqa: BLE001 - any failure, reported to the test's thread below
        errors.append(error)
    finally:
        connections.close_all()  # each thread had its own connection


def test_it_keeps_one_gapless_verified_chain_under_concurrent_posts(
    alice, bob, carol, north_case, settings
):
    users = [alice, bob, carol]
    errors = []
    threads = [
        threading.Thread(target=poster, args=(users[i % 3], north_case, i, errors))
        for i in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = THREADS * MESSAGES_EACH
    stream = f"case:{north_case.code}"
    assert Message.objects.filter(case=north_case).count() == total
    seqs = list(
        AuditEvent.objects.filter(stream=stream).order_by("seq").values_list("seq", flat=True)
    )
    assert seqs == list(range(1, total + 2))  # case.created, then one event per message
    assert AuditEvent.objects.filter(stream=stream, action="message.posted").count() == total
    [report] = verify_trail(stream)
    signed = (total + 1) // settings.AUDIT_CHECKPOINT_EVERY
    assert (report.intact, report.events, report.checkpoints) == (True, total + 1, signed)
