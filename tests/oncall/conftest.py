"""The on-call rota, with the personas of tests/conftest.py:

alice  therapist in North, owns the North case and raises consults about it
bob    supervisor in North, primary on call now
dave   supervisor in North, backup on call now
erin   supervisor in North, not on shift: paged only when the whole team is
oscar  therapist in East: outsider
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from consult.oncall.models import Shift, TeamPagingSettings


@pytest.fixture
def rota(north, bob, dave, erin):
    now = timezone.now()
    for person, tier in ((bob, 1), (dave, 2)):
        Shift.objects.create(
            team=north,
            supervisor=person,
            tier=tier,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=8),
        )
    TeamPagingSettings.objects.create(team=north, ack_seconds=180)


@pytest.fixture
def published(monkeypatch):
    """Every frame the paging code publishes, as (group, frame), in order."""
    frames = []
    for module in ("consult.oncall.paging", "consult.records.followups.reminders"):
        monkeypatch.setattr(
            f"{module}.publish_on_commit", lambda group, frame: frames.append((group, frame))
        )
    return frames
