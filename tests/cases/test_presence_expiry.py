"""Presence rows of sockets whose process went without leaving (killed, restarted) are deleted
once they are older than PRESENCE_TTL_SECONDS; live sockets' rows stay."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consult.cases import rooms, store
from consult.cases.models import Presence
from consult.scheduler.loop import SchedulerLoop

pytestmark = pytest.mark.django_db


def present(case, user, name, *, seconds_ago):
    row = Presence.objects.create(case=case, user=user, channel_name=name, seen_at=timezone.now())
    Presence.objects.filter(pk=row.pk).update(
        seen_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


def test_rows_past_the_ttl_go_and_fresh_ones_stay(settings, alice, bob, north_case):
    settings.PRESENCE_TTL_SECONDS = 90
    present(north_case, alice, "gone.1", seconds_ago=91)
    present(north_case, bob, "gone.2", seconds_ago=3600)
    present(north_case, alice, "live.1", seconds_ago=10)
    assert rooms.expire_stale_presence() == 2
    assert list(Presence.objects.values_list("channel_name", flat=True)) == ["live.1"]
    since = timezone.now() - timedelta(seconds=settings.PRESENCE_TTL_SECONDS)
    present_now = store.present_user_rows_of([north_case.pk], seen_since=since)
    assert [username for _, username, *_ in present_now[north_case.pk]] == ["alice"]


def test_it_deletes_in_batches_until_none_is_left(monkeypatch, alice, north_case):
    monkeypatch.setattr(rooms, "PRESENCE_EXPIRY_BATCH", 2)
    for i in range(5):
        present(north_case, alice, f"gone.{i}", seconds_ago=600)
    assert rooms.expire_stale_presence() == 5
    assert not Presence.objects.exists()


@pytest.mark.django_db(
    transaction=True
)  # a scheduler pass closes a connection left in a transaction
def test_the_scheduler_expires_them_at_once_then_once_a_minute(alice, north_case):
    loop = SchedulerLoop()
    present(north_case, alice, "gone.1", seconds_ago=600)
    loop.run_pass()
    assert not Presence.objects.exists()
    present(north_case, alice, "gone.2", seconds_ago=600)
    loop.run_pass()  # within the minute: not read again
    assert Presence.objects.filter(channel_name="gone.2").exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_chore_is_logged_and_the_others_still_run(monkeypatch, caplog):
    from consult.scheduler import loop as scheduler

    ran = []

    def broken():
        raise RuntimeError("lost connection")

    monkeypatch.setattr(
        scheduler,
        "CHORES",
        (
            scheduler.Chore("broken chore", 60, broken, at_start=True),
            scheduler.Chore("fine chore", 60, lambda: ran.append("fine"), at_start=True),
        ),
    )
    scheduler.SchedulerLoop().run_pass()
    assert ran == ["fine"]
    assert "broken chore failed" in caplog.text
