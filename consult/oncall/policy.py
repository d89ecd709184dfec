"""The escalation policy: a consult's state and the time now → the one next thing to do.

Pure Python, no ORM: the scheduler and the decline service both ask it, and its tests are a table.

    1. Nothing to do unless the consult is paging.
    2. Wait while the current tier's deadline is ahead and someone in it has not declined.
    3. Otherwise page the next tier that has anyone in it: primary → backup → every supervisor.
    4. When no tier is left, tell the requester plainly that nobody has answered.
"""

from dataclasses import dataclass
from datetime import datetime

LAST_TIER = 3


@dataclass(frozen=True)
class Situation:
    state: str  # "open" | "paging" | "acknowledged" | "unanswered" | "resolved"
    tier: int  # the tier paged last, 0 before the first page
    escalate_at: datetime | None
    tier_declined: bool  # every page of the current tier was declined
    staffed_tiers: frozenset  # tiers with at least one person who could be paged now


@dataclass(frozen=True)
class Action:
    kind: str  # "none" | "wait" | "page" | "unanswered"
    tier: int = 0


NONE = Action("none")
WAIT = Action("wait")
UNANSWERED = Action("unanswered")


def next_action(situation, now):
    if situation.state != "paging":
        return NONE
    due = situation.escalate_at is not None and now >= situation.escalate_at
    if situation.tier > 0 and not due and not situation.tier_declined:
        return WAIT
    for tier in range(situation.tier + 1, LAST_TIER + 1):
        if tier in situation.staffed_tiers:
            return Action("page", tier)
    return UNANSWERED
