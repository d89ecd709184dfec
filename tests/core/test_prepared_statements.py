"""The plain post and a room join's reads run as server-side prepared statements
(consult/core/prepared.py): PostgreSQL plans each once per connection instead of once per
message or join, and nothing else is prepared."""

import pytest
from django.db import IntegrityError, connection

from consult.cases.models import Message
from consult.cases.rooms import room_join, room_leave
from consult.cases.services import message_post
from consult.core.prepared import fetch_one_prepared

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def prepared_statements(columns="statement, generic_plans + custom_plans"):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM pg_prepared_statements")
        return cursor.fetchall()


def test_a_rooms_posts_share_one_prepared_statement_and_nothing_else_is_prepared(alice, north_case):
    for n in range(7):
        message_post(
            actor=alice, case_code=north_case.code, client_id=f"m{n}", body=f"Plan line {n}"
        )
    assert (
        Message.objects.filter(case=north_case).count() == 7
    )  # an ORM query: client-side, never prepared

    [(statement, custom_plans, generic_plans)] = prepared_statements(
        "statement, custom_plans, generic_plans"
    )
    assert "INSERT INTO cases_message" in statement and "audit_event" in statement
    assert custom_plans + generic_plans == 7
    # Past PostgreSQL's first five custom plans it settles on a generic one: no planning per post.
    assert generic_plans >= 1


def test_the_statement_survives_a_new_connection(alice, north_case):
    message_post(
        actor=alice, case_code=north_case.code, client_id="before", body="Before the reconnect"
    )
    connection.close()  # as CONN_MAX_AGE or a database restart would
    result = message_post(
        actor=alice, case_code=north_case.code, client_id="after", body="After the reconnect"
    )
    assert result.message.seq == 2
    assert len(prepared_statements()) == 1


def test_errors_come_back_as_djangos_exceptions(alice, north_case):
    message_post(actor=alice, case_code=north_case.code, client_id="m1", body="Stored once")
    stored = Message.objects.get(case=north_case)
    with pytest.raises(IntegrityError):
        fetch_one_prepared(
            "INSERT INTO cases_message (case_id, seq, author_id, client_id, body, body_html, "
            "deid_confirmations, created_at) VALUES (%(case)s, %(seq)s, %(author)s, %(client_id)s, "
            "'', '', '[]', now()) RETURNING id",
            {"case": north_case.pk, "seq": stored.seq, "author": alice.pk, "client_id": "another"},
        )
    assert Message.objects.filter(case=north_case).count() == 1


def test_a_room_joins_reads_are_prepared_once_per_connection(alice, north_case):
    for n in range(3):
        _, joined = room_join(actor=alice, case_code=north_case.code, channel_name=f"socket-{n}")
        assert [user["username"] for user in joined["presence"]] == ["alice"]
    room_leave(channel_name="socket-0")
    statements = dict(prepared_statements())
    history = [s for s in statements if "ORDER BY m.seq" in s]
    presence = [s for s in statements if "ON CONFLICT (channel_name)" in s]
    assert len(history) == 1 and statements[history[0]] == 3
    assert len(presence) == 1 and statements[presence[0]] == 3
    assert any(s.startswith("DELETE FROM") for s in statements)
