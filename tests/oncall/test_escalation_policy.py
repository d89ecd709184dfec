"""The escalation policy as a table: situation + now → next action. No database."""

from datetime import UTC, datetime, timedelta

import pytest

from consult.oncall.policy import Action, Situation, next_action

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
PAST, FUTURE = NOW - timedelta(seconds=1), NOW + timedelta(seconds=60)
ALL = frozenset({1, 2, 3})


def s(state="paging", tier=1, escalate_at=FUTURE, declined=False, staffed=ALL):
    return Situation(
        state=state,
        tier=tier,
        escalate_at=escalate_at,
        tier_declined=declined,
        staffed_tiers=frozenset(t for t in staffed if t > tier),
    )


@pytest.mark.parametrize(
    "situation, expected",
    [
        (s(tier=0, escalate_at=None), Action("page", 1)),  # a new urgent consult pages the primary
        (
            s(tier=0, escalate_at=None, staffed={2, 3}),
            Action("page", 2),
        ),  # nobody primary: the backup
        (s(tier=0, escalate_at=None, staffed={3}), Action("page", 3)),
        (s(tier=0, escalate_at=None, staffed=set()), Action("unanswered")),  # nobody at all
        (s(tier=1), Action("wait")),  # deadline ahead
        (s(tier=1, escalate_at=NOW), Action("page", 2)),  # deadline reached
        (s(tier=1, escalate_at=PAST), Action("page", 2)),
        (s(tier=1, declined=True), Action("page", 2)),  # declined: next tier at once
        (s(tier=1, escalate_at=PAST, staffed={3}), Action("page", 3)),  # no backup on shift
        (s(tier=2, escalate_at=PAST), Action("page", 3)),
        (s(tier=3, escalate_at=PAST), Action("unanswered")),  # the final step reaches the requester
        (s(tier=3, declined=True), Action("unanswered")),
        (s(tier=3), Action("wait")),
        (s(state="acknowledged", escalate_at=PAST), Action("none")),
        (s(state="resolved", escalate_at=PAST), Action("none")),
        (s(state="unanswered", escalate_at=None), Action("none")),
        (s(state="open", tier=0, escalate_at=None), Action("none")),  # routine consults never page
    ],
)
def test_it_decides_the_next_step(situation, expected):
    assert next_action(situation, NOW) == expected
