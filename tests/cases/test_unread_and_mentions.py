"""Unread counts from read positions, the case list's live frames, and @mentions.

alice (North therapist) owns the North case; bob supervises North; carol is a North peer;
oscar is in East and must never be told anything about North.
"""

import pytest

from consult.cases.access import visible_cases
from consult.cases.activity import with_activity
from consult.cases.services import message_post, read_position_mark
from consult.core.errors import IdentifierFound
from consult.deid.guard import Confirmation

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    frames = []
    monkeypatch.setattr(
        "consult.cases.activity.publish_on_commit",
        lambda group, frame: frames.append((group, frame)),
    )
    return frames


def unread_of(user, case):
    return with_activity(visible_cases(user), user).get(pk=case.pk).unread


def test_unread_counts_others_messages_after_the_read_position(alice, bob, north_case):
    for n in range(3):
        message_post(actor=alice, case_code=north_case.code, client_id=f"a{n}", body=f"Note {n}")
    message_post(actor=bob, case_code=north_case.code, client_id="b1", body="Seen.")
    assert (unread_of(bob, north_case), unread_of(alice, north_case)) == (3, 1)
    read_position_mark(actor=bob, case_code=north_case.code, seq=2)
    assert unread_of(bob, north_case) == 1
    read_position_mark(actor=bob, case_code=north_case.code, seq=4)
    assert unread_of(bob, north_case) == 0


def test_reading_tells_the_readers_other_tabs_the_new_count(alice, bob, north_case, published):
    for n in range(3):
        message_post(actor=alice, case_code=north_case.code, client_id=f"a{n}", body=f"Note {n}")
    published.clear()
    read_position_mark(actor=bob, case_code=north_case.code, seq=1)
    assert published == [
        (f"user.{bob.pk}", {"type": "case.read", "case": north_case.code, "seq": 1, "unread": 2})
    ]
    published.clear()
    read_position_mark(actor=bob, case_code=north_case.code, seq=1)  # no move, no frame
    assert published == []


def test_a_post_sends_one_activity_frame_to_the_team(alice, north, north_case, published):
    message = message_post(
        actor=alice, case_code=north_case.code, client_id="a1", body="Plain note."
    ).message
    assert published == [
        (
            f"team.{north.pk}",
            {
                "type": "case.activity",
                "case": north_case.code,
                "seq": 1,
                "author_id": alice.pk,
                "at": message.created_at.isoformat(),
            },
        )
    ]


def test_a_mention_tells_the_mentioned_team_member_only(
    alice, bob, carol, oscar, north_case, published
):
    body = "@bob and @carol. could you look? (@oscar, @alice, @nobody)"
    # @oscar (another team) and @nobody look like a client's handles to the guard:
    # the writer confirms them.
    outsiders = [
        Confirmation(body.index(h), body.index(h) + len(h), "HANDLE") for h in ("@oscar", "@nobody")
    ]
    message_post(
        actor=alice, case_code=north_case.code, client_id="a1", body=body, confirmations=outsiders
    )
    mentions = [(group, frame) for group, frame in published if frame["type"] == "mention"]
    assert sorted(group for group, _ in mentions) == sorted([f"user.{bob.pk}", f"user.{carol.pk}"])
    assert mentions[0][1] == {
        "type": "mention",
        "case": north_case.code,
        "seq": 1,
        "by": {"id": alice.pk, "username": "alice", "name": "Alice"},
        "url": f"/cases/{north_case.code}/?at=1",
    }  # no text of the message


def test_the_guard_lets_a_team_members_username_through_but_not_anyone_elses(
    alice, bob, north_case
):
    message = message_post(
        actor=alice, case_code=north_case.code, client_id="a1", body="**@bob** please look"
    ).message
    assert (
        message.deid_confirmations == []
    )  # nobody confirmed anything: a colleague is no identifier
    with pytest.raises(IdentifierFound) as refused:
        message_post(
            actor=alice,
            case_code=north_case.code,
            client_id="a2",
            body="her account @jane_doe_88 again",
        )
    assert [f.kind for f in refused.value.findings] == ["HANDLE"]


def test_an_email_address_is_not_a_mention(alice, bob, north_case, published):
    message_post(
        actor=alice, case_code=north_case.code, client_id="a1", body="Stock item@bob arrived"
    )
    assert [f for _, f in published if f["type"] == "mention"] == []
