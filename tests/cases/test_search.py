"""Search across the cases one may see; results are audited as reads, never the query.

alice (North therapist) owns the North case; bob supervises North; oscar (East) has his own case
with the same words in it: neither side may ever see the other's. Runs on whichever database the
suite has (PostgreSQL full-text search, or SQLite's LIKE fallback): the suite is run on both.
"""

import pytest
from django.db import connection

from consult.audit.models import AuditEvent
from consult.cases.search import message_search, snippet
from consult.cases.services import case_create, message_post
from consult.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def east_case(oscar, east):
    case = case_create(actor=oscar, team_id=east.pk, title="East case")
    message_post(
        actor=oscar,
        case_code=case.code,
        client_id="e1",
        body="Discussed the safety plan and sleep.",
    )
    return case


@pytest.fixture
def north_messages(alice, bob, north_case):
    message_post(
        actor=alice,
        case_code=north_case.code,
        client_id="n1",
        body="Weekly sessions are going fine.",
    )
    message_post(
        actor=bob,
        case_code=north_case.code,
        client_id="n2",
        body="Review the safety plan with the client.",
    )
    message_post(actor=alice, case_code=north_case.code, client_id="n3", body="Sleep has improved.")


def test_it_finds_a_message_in_a_case_of_ones_team_and_never_another_teams(
    alice, oscar, north_case, east_case, north_messages
):
    found = message_search(actor=alice, query="safety plan")
    assert [(m.case.code, m.seq) for m in found] == [(north_case.code, 2)]
    found = message_search(actor=oscar, query="safety plan")
    assert [(m.case.code, m.seq) for m in found] == [(east_case.code, 1)]


def test_it_matches_every_word_not_any(alice, north_messages):
    assert message_search(actor=alice, query="safety sleep") == []
    assert [m.seq for m in message_search(actor=alice, query="sleep")] == [3]


def test_it_audits_the_results_as_reads_of_their_case_without_the_query(
    alice, north_case, east_case, north_messages
):
    before = AuditEvent.objects.count()
    message_search(actor=alice, query="safety plan")
    [event] = AuditEvent.objects.order_by("pk")[before:]
    assert (event.action, event.actor_id, event.case_id) == (
        "search.results_read",
        alice.pk,
        north_case.pk,
    )
    assert event.payload == {"seqs": [2], "count": 1}
    assert not AuditEvent.objects.filter(case=east_case, action="search.results_read").exists()


def test_a_search_without_results_leaves_no_event(alice, north_messages):
    before = AuditEvent.objects.count()
    assert message_search(actor=alice, query="nothing like this") == []
    assert AuditEvent.objects.count() == before


def test_it_refuses_a_query_too_short_or_too_long(alice):
    for query in ("a", " ", "x" * 201):
        with pytest.raises(ValidationFailed):
            message_search(actor=alice, query=query)


def test_the_page_links_each_result_to_the_room_at_that_message(
    client, alice, north_case, north_messages
):
    client.force_login(alice)
    response = client.get("/cases/search/", {"q": "safety plan"}, secure=True)
    assert response.status_code == 200
    assert f'href="/cases/{north_case.code}/?at=2"' in response.content.decode()
    assert client.get("/cases/search/", {"q": "a"}, secure=True).status_code == 400


def test_it_uses_full_text_search_on_postgresql(alice, north_messages):
    if connection.vendor != "postgresql":
        pytest.skip("the LIKE fallback has no stemming")
    assert [m.seq for m in message_search(actor=alice, query="session")] == [
        1
    ]  # "sessions" stems to it


def test_the_snippet_starts_near_the_match():
    body = "x" * 500 + " the safety plan " + "y" * 500
    text = snippet(body, "safety")
    assert "safety plan" in text and text.startswith("…") and text.endswith("…")


def test_the_postgresql_query_can_use_the_gin_index(alice, north_messages):
    if connection.vendor != "postgresql":
        pytest.skip("the index exists on PostgreSQL only")
    from consult.cases.models import Message
    from consult.cases.store import messages_matching

    query = messages_matching(
        Message.objects.filter(case__team__memberships__user=alice), "safety plan"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL enable_seqscan = off"
        )  # a table this small is read whole otherwise
        cursor.execute(
            "EXPLAIN " + str(query.query.sql_with_params()[0]), query.query.sql_with_params()[1]
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cases_message_body_fts" in plan, plan
