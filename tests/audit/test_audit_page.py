"""The audit page: the case's team and admins read it; everyone else gets a 404."""

import pytest

from consult.cases.services import case_view, message_post
from tests.audit.conftest import as_superuser

pytestmark = pytest.mark.django_db


def page(client, user, case, query=""):
    client.force_login(user)
    return client.get(f"/cases/{case.code}/audit/{query}")


def rows(response):
    return [(e.seq, e.action) for e in response.context["events"]]


@pytest.fixture
def active_case(alice, bob, north_case):
    message_post(actor=alice, case_code=north_case.code, client_id="m1", body="First thoughts")
    case_view(actor=bob, case_code=north_case.code)
    return north_case


def test_it_lists_the_events_newest_first_and_says_the_chain_verifies(client, carol, active_case):
    response = page(client, carol, active_case)
    assert response.status_code == 200
    assert rows(response) == [(3, "case.viewed"), (2, "message.posted"), (1, "case.created")]
    html = response.content.decode()
    assert 'data-intact="true"' in html and "Chain verifies: 3 events" in html
    assert f'href="/cases/{active_case.code}/audit/export.jsonl"' in html
    assert active_case.title not in html  # the trail page shows ids and hashes, not the case's text


def test_it_filters_by_action_and_by_actor(client, bob, alice, active_case):
    assert rows(page(client, bob, active_case, "?action=message.posted")) == [(2, "message.posted")]
    assert rows(page(client, bob, active_case, f"?actor={bob.pk}")) == [(3, "case.viewed")]
    assert rows(page(client, bob, active_case, f"?actor={alice.pk}&action=case.viewed")) == []


def test_it_lets_an_admin_outside_the_team_read_the_trail(client, dana, active_case):
    assert page(client, dana, active_case).status_code == 200


def test_it_answers_404_to_an_outsider_and_sends_strangers_to_sign_in(client, oscar, active_case):
    assert page(client, oscar, active_case).status_code == 404
    assert page(client, oscar, active_case, "export.jsonl").status_code == 404
    client.logout()
    response = client.get(f"/cases/{active_case.code}/audit/")
    assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.postgres
def test_it_shows_which_event_breaks_the_chain(client, bob, active_case):
    as_superuser(
        "UPDATE audit_auditevent SET action = 'case.edited' WHERE case_id = %s AND seq = 2",
        [active_case.pk],
    )
    html = page(client, bob, active_case).content.decode()
    assert 'data-intact="false"' in html
    assert (
        f"case:{active_case.code} seq 2" in html and "its hash does not match its content" in html
    )
