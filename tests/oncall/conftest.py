"""On-call personas, on top of tests/conftest.py.

alice  therapist in North, owns the North case and raises consults about it
bob    supervisor in North, primary on call now
dave   supervisor in North, backup on call now
erin   supervisor in North, not on shift: paged only when the whole team is
oscar  therapist in East: outsider
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from consult.accounts.models import Role
from consult.oncall.models import Shift, TeamPagingSettings
from tests.conftest import make_user


@pytest.fixture
def dave(north):
    return make_user("dave", Role.SUPERVISOR, north)


@pytest.fixture
def erin(north):
    return make_user("erin", Role.SUPERVISOR, north)


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
    for module in ("consult.oncall.paging", "consult.followups.reminders"):
        monkeypatch.setattr(
            f"{module}.publish_on_commit", lambda group, frame: frames.append((group, frame))
        )
    return frames


def actions(case=None, stream=None):
    from consult.audit.models import AuditEvent

    events = (
        AuditEvent.objects.filter(case=case) if case else AuditEvent.objects.filter(stream=stream)
    )
    return [(e.action, e.actor_id, e.payload) for e in events.order_by("seq")]
