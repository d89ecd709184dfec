"""Durable escalation across real scheduler processes on PostgreSQL, with short per-team deadlines.

alice raises urgent consults about her North case; bob is primary, dave backup, erin a supervisor
off shift (see conftest). Schedulers are real `manage.py run_scheduler` subprocesses.
"""

import pytest
from django.utils import timezone

from consult.audit.models import AuditEvent
from consult.oncall.consults import consult_request
from consult.oncall.models import ConsultRequest, Page, TeamPagingSettings
from tests.oncall.processes import Scheduler, next_frame, personal_socket, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def fast(rota, north):
    TeamPagingSettings.objects.filter(team=north).update(ack_seconds=2)


@pytest.fixture
def schedulers(tmp_path):
    started = []

    def start():
        started.append(Scheduler(tmp_path / "scheduler.log"))
        return started[-1]

    yield start
    for scheduler in started:
        if scheduler.process.poll() is None:
            scheduler.stop()


def pages(consult):
    return sorted((p.tier, p.recipient.username) for p in Page.objects.filter(consult=consult))


def test_it_escalates_on_time_after_the_scheduler_is_killed_and_restarted(
    fast, schedulers, live_servers, alice, north_case
):
    first = schedulers()
    consult = consult_request(
        actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
    )
    deadline = consult.escalate_at
    first.kill()  # between the request and its deadline
    assert timezone.now() < deadline
    schedulers()
    backup = wait_for(lambda: Page.objects.filter(consult=consult, tier=2).first())
    assert backup.recipient.username == "dave"
    assert 0 <= (backup.sent_at - deadline).total_seconds() <= 2.0


def test_it_pages_each_tier_exactly_once_with_two_schedulers_and_reaches_the_requester(
    fast, schedulers, live_servers, alice, north_case
):
    schedulers(), schedulers()
    with personal_socket(live_servers[0], alice) as alice_ws:
        consult = consult_request(
            actor=alice, kind="urgent", case_code=north_case.code, question="Need help now."
        )
        unanswered = next_frame(alice_ws, "consult.unanswered", timeout=15)
    assert unanswered["consult_id"] == consult.pk
    assert any("988" in r["contact"] for r in unanswered["resources"])
    assert any("emergency" in r["name"].lower() for r in unanswered["resources"])
    assert pages(consult) == [
        (1, "bob"),
        (2, "dave"),
        (3, "erin"),
    ]  # bob and dave are not paged twice
    trail = list(AuditEvent.objects.filter(case=north_case).values_list("action", flat=True))
    assert trail.count("page.sent") == 3 and trail.count("consult.escalated") == 2
    assert trail.count("consult.unanswered") == 1
    assert ConsultRequest.objects.get(pk=consult.pk).state == "unanswered"
