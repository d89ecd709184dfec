"""The case list marks a case while a consult about it is open, and hears of changes live.

alice (North therapist) owns the North case; bob supervises North and is primary on call;
carol is a North peer who sees the case list but not the consult's question.
"""

import pytest

from consult.oncall.consults import consult_request, consult_resolve

pytestmark = pytest.mark.django_db


def test_every_state_change_tells_the_team_whether_a_consult_is_open(
    alice, bob, north, rota, north_case, published
):
    consult = consult_request(
        actor=alice, kind="routine", case_code=north_case.code, question="Next step?"
    )
    marks = [(g, f) for g, f in published if f["type"] == "case.consult"]
    assert marks == [
        (f"team.{north.pk}", {"type": "case.consult", "case": north_case.code, "active": True})
    ]
    published.clear()
    consult_resolve(actor=bob, consult_id=consult.pk, outcome="Agreed a plan.")
    assert [f for g, f in published if f["type"] == "case.consult"] == [
        {"type": "case.consult", "case": north_case.code, "active": False}
    ]


def test_a_support_request_marks_no_case(alice, rota, published):
    consult_request(actor=alice, kind="support", question="Hard day.")
    assert [f for g, f in published if f["type"] == "case.consult"] == []


def test_the_case_list_shows_unread_counts_and_the_mark(client, alice, carol, rota, north_case):
    from consult.cases.services import message_post

    message_post(
        actor=alice, case_code=north_case.code, client_id="a1", body="A note for the team."
    )
    consult_request(actor=alice, kind="routine", case_code=north_case.code, question="Next step?")
    client.force_login(carol)
    page = client.get("/cases/", secure=True).content.decode()
    assert 'data-testid="unread" data-count="1"' in page
    mark = page[page.index('data-testid="consult-mark"') :][:60]
    assert "hidden" not in mark.split(">")[0]
