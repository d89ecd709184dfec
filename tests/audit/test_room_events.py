"""Posting, joining a room and reading its history each leave exactly one event;
so does a false alarm."""

import pytest

from consult.audit.chain import content_hash
from consult.audit.trail import verify_trail
from consult.cases.models import Case, Message
from consult.cases.rooms import room_history, room_join
from consult.cases.services import message_post
from consult.deid.guard import Confirmation
from tests.support.audit import last_seq, trail

pytestmark = pytest.mark.django_db


def post(user, case, client_id, body, **kwargs):
    return message_post(
        actor=user, case_code=case.code, client_id=client_id, body=body, **kwargs
    ).message


def test_it_records_a_posted_message_by_its_hash(alice, north_case):
    before = last_seq(north_case)
    post(alice, north_case, "m1", "Is a safety plan enough?")
    assert trail(north_case, after=before, seq=True) == [
        (
            before + 1,
            "message.posted",
            "alice",
            {
                "seq": 1,
                "body_sha256": content_hash("Is a safety plan enough?"),
                "corrects_seq": None,
            },
        )
    ]


def test_it_starts_the_chain_with_a_post_into_a_case_whose_stream_has_no_head_yet(alice, north):
    case = Case.objects.create(team=north, owner=alice, title="Made without case_create")
    post(alice, case, "m1", "First line")
    post(alice, case, "m2", "Second line")
    assert trail(case, seq=True) == [
        (
            1,
            "message.posted",
            "alice",
            {"seq": 1, "body_sha256": content_hash("First line"), "corrects_seq": None},
        ),
        (
            2,
            "message.posted",
            "alice",
            {"seq": 2, "body_sha256": content_hash("Second line"), "corrects_seq": None},
        ),
    ]
    [report] = verify_trail(f"case:{case.code}")
    assert (report.intact, report.events) == (True, 2)


def test_it_records_a_retried_post_once(alice, north_case):
    before = last_seq(north_case)
    post(alice, north_case, "m1", "Sent twice")
    post(alice, north_case, "m1", "Sent twice")
    assert [action for action, _, _ in trail(north_case, after=before)] == ["message.posted"]


def test_it_records_a_confirmed_false_alarm_next_to_the_message(alice, north_case):
    before = last_seq(north_case)
    message = post(
        alice,
        north_case,
        "h1",
        "Hope said she felt safer",
        confirmations=[Confirmation(0, 4, "NAME")],
    )
    assert trail(north_case, after=before, seq=True)[1:] == [
        (
            before + 2,
            "deid.false_alarm_confirmed",
            "alice",
            {
                "message_id": message.pk,
                "field": "body",
                "start": 0,
                "end": 4,
                "kind": "NAME",
                "text_sha256": content_hash("Hope said she felt safer"),
            },
        )
    ]


def test_it_records_joining_the_room_with_the_range_of_history_shown(alice, bob, north_case):
    post(alice, north_case, "a", "First")
    post(alice, north_case, "b", "Second")
    before = last_seq(north_case)
    room_join(actor=bob, case_code=north_case.code, channel_name="test.bob")
    assert trail(north_case, after=before, seq=True) == [
        (
            before + 1,
            "room.joined",
            "bob",
            {"after_seq": None, "first_seq": 1, "last_seq": 2, "count": 2},
        )
    ]


def test_it_records_reading_history_and_not_an_empty_page(alice, carol, north_case):
    for n in range(3):
        post(alice, north_case, f"m{n}", f"Message {n}")
    before = last_seq(north_case)
    room_history(actor=carol, case_code=north_case.code, after_seq=1)
    room_history(
        actor=carol, case_code=north_case.code, after_seq=3
    )  # nothing new: nothing was read
    assert trail(north_case, after=before, seq=True) == [
        (
            before + 1,
            "history.read",
            "carol",
            {"after_seq": 1, "first_seq": 2, "last_seq": 3, "count": 2},
        )
    ]
    assert Message.objects.filter(case=north_case).count() == 3
