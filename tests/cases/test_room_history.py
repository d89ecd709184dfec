"""A room's history is read as rows for speed (consult/cases/store.py): its frames must be exactly
what the model serializer would send, corrections and times included, on every database."""

import pytest

from consult.cases.models import Message
from consult.cases.rooms import RECENT_HISTORY, room_history, room_join
from consult.cases.services import message_post
from consult.events.serializers import message_dict

pytestmark = pytest.mark.django_db


def post(user, case, n, **kwargs):
    return message_post(
        actor=user, case_code=case.code, client_id=f"m{n}", body=f"Line {n}", **kwargs
    )


def as_models(case, seqs):
    messages = (
        Message.objects.filter(case=case, seq__in=seqs)
        .select_related("author", "corrects")
        .order_by("seq")
    )
    return [message_dict(m) for m in messages]


def test_a_join_shows_the_latest_messages_as_the_model_serializer_would(alice, bob, north_case):
    for n in range(1, RECENT_HISTORY + 4):
        post(alice if n % 2 else bob, north_case, n)
    post(alice, north_case, 99, corrects_seq=RECENT_HISTORY + 3)

    _, joined = room_join(actor=bob, case_code=north_case.code, channel_name="socket-1")

    last = RECENT_HISTORY + 4
    assert [m["seq"] for m in joined["messages"]] == list(
        range(last - RECENT_HISTORY + 1, last + 1)
    )
    assert joined["messages"] == as_models(north_case, range(last - RECENT_HISTORY + 1, last + 1))
    assert joined["messages"][-1]["corrects"] == RECENT_HISTORY + 3
    assert joined["messages"][-1]["created_at"].endswith("+00:00")
    assert [m["username"] for m in joined["members"]] == sorted(
        m["username"] for m in joined["members"]
    )


def test_history_pages_forward_from_a_seq(alice, north_case):
    for n in range(1, 8):
        post(alice, north_case, n)
    page = room_history(actor=alice, case_code=north_case.code, after_seq=2, limit=3)
    assert ([m["seq"] for m in page["messages"]], page["has_more"]) == ([3, 4, 5], True)
    assert page["messages"] == as_models(north_case, [3, 4, 5])
    last = room_history(actor=alice, case_code=north_case.code, after_seq=5, limit=3)
    assert ([m["seq"] for m in last["messages"]], last["has_more"]) == ([6, 7], False)
