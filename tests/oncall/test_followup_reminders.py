"""Follow-up reminders fire when due, also when no scheduler ran at the due time, and overdue
check-ins show on the supervisors' dashboard. alice owns the North case; bob supervises North."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from consult.audit.models import AuditEvent
from consult.records.followups.models import FollowUp
from consult.records.followups.services import followup_schedule
from tests.oncall.processes import Scheduler, next_frame, personal_socket, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.redis]


def test_it_reminds_the_owner_after_a_restart_across_the_due_time(
    tmp_path, live_servers, alice, bob, north_case
):
    alice.email = "alice@example.org"
    alice.save()
    scheduler = Scheduler(tmp_path / "scheduler.log")
    followup = followup_schedule(
        actor=alice, case_code=north_case.code, due_at=timezone.now() + timedelta(seconds=1.5)
    )
    scheduler.kill()  # down over the due time
    wait_for(lambda: timezone.now() > followup.due_at + timedelta(seconds=0.5))
    assert FollowUp.objects.get(pk=followup.pk).reminded_at is None
    with personal_socket(live_servers[0], alice) as alice_ws:
        restarted = Scheduler(tmp_path / "scheduler.log")
        try:
            frame = next_frame(alice_ws, "followup.due", timeout=10)
        finally:
            restarted.stop()
    assert frame == {
        "type": "followup.due",
        "followup_id": followup.pk,
        "case": north_case.code,
        "due_at": followup.due_at.isoformat(),
        "url": f"/dashboard/#followup-{followup.pk}",
    }
    assert AuditEvent.objects.filter(case=north_case, action="followup.reminded").count() == 1
    from consult.oncall.models import Delivery

    email = Delivery.objects.get(target="alice@example.org")
    assert north_case.code in email.subject and north_case.title not in str(email.payload)


def test_it_lists_overdue_checkins_for_the_teams_supervisors(alice, bob, north_case):
    overdue = followup_schedule(
        actor=alice, case_code=north_case.code, due_at=timezone.now() - timedelta(days=1)
    )
    followup_schedule(
        actor=alice, case_code=north_case.code, due_at=timezone.now() + timedelta(days=1)
    )
    client = Client()
    client.force_login(bob)
    section = (
        client.get("/dashboard/")
        .content.decode()
        .split('data-testid="overdue-followups"')[1]
        .split("</ul>")[0]
    )
    assert section.count("data-followup=") == 1 and f'data-followup="{overdue.pk}"' in section
