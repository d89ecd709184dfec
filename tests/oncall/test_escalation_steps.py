"""Escalation in-process: deadline → backup → every supervisor → the requester hears nobody
answered. The same steps across real scheduler processes are in test_scheduler_processes.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consult.core.errors import NotFound
from consult.oncall.consults import consult_repage, consult_request, consult_resolve, page_decline
from consult.oncall.models import Page, Shift
from consult.oncall.scheduler import escalate_due, repeat_due_pages
from tests.support.audit import trail

pytestmark = pytest.mark.django_db


def later(consult, seconds=1):
    consult.refresh_from_db()
    return consult.escalate_at + timedelta(seconds=seconds)


def tiers_paged(consult):
    return sorted((p.tier, p.recipient.username) for p in Page.objects.filter(consult=consult))


def test_it_walks_every_tier_then_tells_the_requester(alice, rota, north_case, published):
    consult = consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
    )
    assert escalate_due(timezone.now()) == 0  # nothing due before the deadline
    assert escalate_due(later(consult)) == 1
    assert tiers_paged(consult) == [(1, "bob"), (2, "dave")]
    escalate_due(later(consult))
    # bob and dave still hear their own pages repeat: the whole team adds erin, nobody twice.
    assert tiers_paged(consult) == [(1, "bob"), (2, "dave"), (3, "erin")]
    published.clear()
    escalate_due(later(consult))
    consult.refresh_from_db()
    assert consult.state == "unanswered"
    unanswered = [
        f for g, f in published if f["type"] == "consult.unanswered" and g == f"user.{alice.pk}"
    ][0]
    assert (
        "988" in str(unanswered["resources"])
        and "emergency" in str(unanswered["resources"]).lower()
    )
    assert [a[0] for a in trail(north_case) if a[0].startswith("consult.")] == [
        "consult.requested",
        "consult.escalated",
        "consult.escalated",
        "consult.unanswered",
    ]


def test_it_pages_the_next_tier_at_once_on_decline(alice, bob, rota, north_case):
    consult = consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
    )
    page = Page.objects.get(consult=consult, recipient=bob)
    page_decline(actor=bob, page_id=page.pk, reason="In session until 3pm.")
    assert tiers_paged(consult) == [(1, "bob"), (2, "dave")]
    assert trail(north_case)[-3][0] == "page.declined"
    assert trail(north_case)[-2][2]["reason"] == "declined"


def test_it_skips_a_decliner_when_the_whole_team_is_paged(alice, bob, dave, rota, north_case):
    consult = consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
    )
    page_decline(actor=bob, page_id=Page.objects.get(recipient=bob).pk, reason="Driving.")
    page_decline(actor=dave, page_id=Page.objects.get(recipient=dave).pk, reason="Ill today.")
    assert tiers_paged(consult) == [(1, "bob"), (2, "dave"), (3, "erin")]


def test_it_repages_from_the_primary_after_nobody_answered(alice, rota, north_case):
    consult = consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
    )
    for _ in range(3):
        escalate_due(later(consult))
    consult_repage(actor=alice, consult_id=consult.pk)
    consult.refresh_from_db()
    assert (consult.state, consult.round, consult.tier) == ("paging", 2, 1)
    assert Page.objects.filter(consult=consult, round=2).get().recipient.username == "bob"


def test_it_repeats_a_page_every_interval_until_answered(alice, bob, rota, north_case, published):
    consult = consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
    )
    page = Page.objects.get(consult=consult)
    published.clear()
    assert repeat_due_pages(page.next_repeat_at) == 1
    assert repeat_due_pages(page.next_repeat_at) == 0  # already repeated for this interval
    assert published == [(f"user.{bob.pk}", {"type": "page", "page": published[0][1]["page"]})]
    assert published[0][1]["page"]["repeat"] == 1
    consult_resolve(
        actor=bob, consult_id=consult.pk, outcome="Talked it through; safety plan updated."
    )
    assert repeat_due_pages(timezone.now() + timedelta(hours=1)) == 0


def test_it_lets_only_the_recipient_decline(alice, dave, rota, north_case):
    consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
    )
    with pytest.raises(NotFound):
        page_decline(actor=dave, page_id=Page.objects.get().pk, reason="not mine")


def test_a_supervisor_in_two_tiers_gets_one_page(alice, bob, erin, north, north_case, published):
    """bob is both primary and backup tonight; erin is the rest of the team."""
    now = timezone.now()
    for tier in (1, 2):
        Shift.objects.create(
            team=north,
            supervisor=bob,
            tier=tier,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=8),
        )
    consult = consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
    )
    escalate_due(later(consult))  # the backup is bob again: the whole team is next
    assert tiers_paged(consult) == [(1, "bob"), (3, "erin")]
    assert [g for g, f in published if f["type"] == "page"] == [f"user.{bob.pk}", f"user.{erin.pk}"]
    assert [a[2]["recipient_id"] for a in trail(north_case) if a[0] == "page.sent"] == [
        bob.pk,
        erin.pk,
    ]
