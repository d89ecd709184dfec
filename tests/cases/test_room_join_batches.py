"""Joins in a batch (consult/cases/rooms.py's rooms_join, consult/realtime/batches.py): the rooms
of every join read in one statement, and each socket answered exactly as a join on its own would
be, refusals included; the room's presence counts everyone the batch let in."""

import pytest
from django.db import connection

from consult.audit.kinds import Action
from consult.audit.models import AuditEvent
from consult.cases import rooms, store
from consult.cases.models import Presence
from consult.cases.services import message_post
from consult.core.errors import ConsultError, NotFound
from consult.events import frames

pytestmark = pytest.mark.django_db


def request(actor, case, channel, after_seq=None):
    return {
        "actor": actor,
        "case_code": case.code,
        "channel_name": channel,
        "after_seq": after_seq,
        "session_id": None,
    }


@pytest.fixture
def posted(alice, north_case):
    for n in range(1, 6):
        message_post(actor=alice, case_code=north_case.code, client_id=f"m{n}", body=f"Line {n}")
    return north_case


@pytest.fixture
def published(monkeypatch):
    sent = []
    monkeypatch.setattr(
        rooms, "publish_on_commit", lambda group, frame, seq: sent.append((group, frame))
    )
    return sent


def calls_of(monkeypatch, name, noted):
    """Who store.`name` was called for, as noted(*args) of each call; the calls still run."""
    calls, real = [], getattr(store, name)

    def noting(*args, **kwargs):
        calls.append(noted(*args))
        return real(*args, **kwargs)

    monkeypatch.setattr(store, name, noting)
    return calls


@pytest.fixture
def joins_alone(monkeypatch):
    """The joins whose room was read on its own (store.room_entry), not by the batch's read."""
    return calls_of(monkeypatch, "room_entry", lambda actor, code: actor.username)


def test_a_batch_answers_each_join_as_it_would_alone_with_one_read(
    alice, carol, oscar, posted, joins_alone, published
):
    batch = [
        request(alice, posted, "a-1"),
        request(carol, posted, "c-1", after_seq=3),
        request(oscar, posted, "o-1"),  # another team's: refused
        request(alice, posted, "a-2", after_seq=5),
    ]
    answers = rooms.rooms_join(batch)

    (case, latest), (_, after_3), refused, (_, after_5) = answers
    assert case.pk == posted.pk
    assert [m["seq"] for m in latest["messages"]] == [1, 2, 3, 4, 5]
    assert ([m["seq"] for m in after_3["messages"]], after_3["has_more"]) == ([4, 5], False)
    assert after_5["messages"] == []
    assert [latest["me"]["username"], after_3["me"]["username"]] == ["alice", "carol"]
    assert isinstance(refused, ConsultError)
    if connection.vendor == "postgresql":
        assert joins_alone == ["oscar"]  # the others were read by the batch's one statement
    else:  # SQLite reads each join's room on its own
        assert joins_alone == ["alice", "carol", "oscar", "alice"]
    assert set(Presence.objects.values_list("channel_name", flat=True)) == {"a-1", "c-1", "a-2"}
    assert AuditEvent.objects.filter(action=Action.ROOM_JOINED, case=posted).count() == 3


def test_everyone_a_batch_lets_in_is_present_in_every_frame_and_one_presence_frame(
    alice, carol, bob, posted, published
):
    answers = rooms.rooms_join(
        [request(alice, posted, "a-1"), request(carol, posted, "c-1"), request(bob, posted, "b-1")]
    )
    everyone = ["alice", "bob", "carol"]
    for _, joined in answers:
        assert [user["username"] for user in joined["presence"]] == everyone
    [(group, frame)] = published
    assert frame["type"] == "presence"
    assert [user["username"] for user in frame["users"]] == everyone


def test_when_the_batchs_read_fails_every_join_is_read_alone(
    monkeypatch, alice, carol, posted, joins_alone, published
):
    from django.db import OperationalError

    def fails(*args, **kwargs):
        raise OperationalError("the batch's read failed")

    monkeypatch.setattr(store, "room_entries", fails)
    answers = rooms.rooms_join([request(alice, posted, "a-1"), request(carol, posted, "c-1")])
    assert [joined["me"]["username"] for _, joined in answers] == ["alice", "carol"]
    assert joins_alone == ["alice", "carol"]


def test_one_join_failing_fails_only_its_own_socket(monkeypatch, alice, carol, posted, published):
    enter = store.presence_enter

    def fails_for_carol(case, actor, channel_name, **kwargs):
        if actor.pk == carol.pk:
            raise RuntimeError("carol's presence could not be written")
        return enter(case, actor, channel_name, **kwargs)

    monkeypatch.setattr(store, "presence_enter", fails_for_carol)
    (_, alices), carols = rooms.rooms_join(
        [request(alice, posted, "a-1"), request(carol, posted, "c-1")]
    )
    assert alices["me"]["username"] == "alice"
    assert isinstance(carols, RuntimeError)
    assert list(Presence.objects.values_list("channel_name", flat=True)) == ["a-1"]
    assert [u["username"] for u in alices["presence"]] == ["alice"]
    assert frames.encode(alices)  # still a frame that goes out


# In autocommit, as a server runs: a batch's presence rows and events go in one pipelined
# transaction (store.presences_enter); above, inside the test's transaction, each went alone.


@pytest.fixture
def entered_alone(monkeypatch):
    """The sockets that entered their room on their own (store.presence_enter)."""
    return calls_of(monkeypatch, "presence_enter", lambda case, actor, channel_name: channel_name)


def trail_intact(case):
    from consult.audit.trail import verify_trail

    [report] = verify_trail(f"case:{case.code}")
    return report.intact


@pytest.fixture
def second_case(alice, north):
    from consult.cases.services import case_create

    return case_create(actor=alice, team_id=north.pk, title="Second case", risk_level="low")


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_a_batch_enters_every_room_in_one_transaction_and_the_trails_hold(
    alice, carol, bob, posted, second_case, entered_alone, published
):
    batch = [
        request(alice, posted, "a-1"),
        request(carol, second_case, "c-2"),
        request(bob, posted, "b-1", after_seq=2),
        request(alice, second_case, "a-2"),
    ]
    answers = rooms.rooms_join(batch)

    assert [joined["me"]["username"] for _, joined in answers] == ["alice", "carol", "bob", "alice"]
    assert entered_alone == []  # all four in the batch's one transaction
    assert Presence.objects.count() == 4
    joined_events = AuditEvent.objects.filter(action=Action.ROOM_JOINED)
    assert sorted(e.payload["count"] for e in joined_events.filter(case=posted)) == [3, 5]
    assert joined_events.filter(case=second_case).count() == 2
    assert trail_intact(posted) and trail_intact(second_case)


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_when_the_batchs_transaction_fails_each_socket_enters_on_its_own(
    monkeypatch, alice, carol, posted, second_case, entered_alone, published
):
    from consult.core.prepared import _Pipelined

    send = _Pipelined.send

    def a_failing_statement(self, sql, params):
        send(self, sql, params)
        if len(self.cursors) == 1:
            send(self, "SELECT 1/0", None)  # everything of the transaction is undone

    monkeypatch.setattr(_Pipelined, "send", a_failing_statement)
    answers = rooms.rooms_join([request(alice, posted, "a-1"), request(carol, second_case, "c-2")])
    assert [joined["me"]["username"] for _, joined in answers] == ["alice", "carol"]
    assert sorted(entered_alone) == ["a-1", "c-2"]
    assert Presence.objects.count() == 2
    assert AuditEvent.objects.filter(action=Action.ROOM_JOINED).count() == 2  # once each
    assert trail_intact(posted) and trail_intact(second_case)


def test_the_rooms_of_a_batch_of_codes_are_found_in_one_read_and_remembered(
    alice, north_case, second_case
):
    rooms.forget_room(north_case.code)
    found = rooms.rooms_of([north_case.code, "C-NONE", second_case.code, north_case.code])
    assert found[0] == found[3] == north_case.pk and found[2] == second_case.pk
    assert isinstance(found[1], NotFound)
    assert rooms.known_room(north_case.code) == north_case.pk
    assert rooms.known_room("C-NONE") is None


def test_sockets_leaving_together_are_gone_and_each_room_hears_who_is_left_once(
    alice, carol, bob, posted, second_case, published
):
    rooms.rooms_join(
        [
            request(alice, posted, "a-1"),
            request(carol, posted, "c-1"),
            request(bob, posted, "b-1"),
            request(carol, second_case, "c-2"),
        ]
    )
    published.clear()

    rooms.rooms_leave(["a-1", "c-1", "c-2", "never-joined"])

    assert list(Presence.objects.values_list("channel_name", flat=True)) == ["b-1"]
    heard = {group: [u["username"] for u in frame["users"]] for group, frame in published}
    assert heard == {f"case.{posted.pk}": ["bob"], f"case.{second_case.pk}": []}


def test_a_batch_of_refreshes_keeps_only_its_own_sockets_fresh(alice, carol, posted, published):
    from datetime import timedelta

    from django.utils import timezone

    rooms.rooms_join([request(alice, posted, "a-1"), request(carol, posted, "c-1")])
    long_ago = timezone.now() - timedelta(hours=1)
    Presence.objects.update(seen_at=long_ago)

    rooms.presences_refresh(["a-1", "gone"])

    seen = dict(Presence.objects.values_list("channel_name", "seen_at"))
    assert seen["a-1"] > long_ago and seen["c-1"] == long_ago
