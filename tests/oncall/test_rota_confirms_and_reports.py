"""Removing a shift asks first and says it is done; so does adding one.

bob supervises North and manages its rota.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from consult.oncall.models import Shift

pytestmark = pytest.mark.django_db


def test_removing_a_shift_asks_first_and_reports_it(client, bob, north):
    now = timezone.now()
    shift = Shift.objects.create(
        team=north, supervisor=bob, tier=1, starts_at=now, ends_at=now + timedelta(hours=8)
    )
    client.force_login(bob)
    page = client.get("/oncall/").content.decode()
    assert 'data-confirm="Remove Bob\'s primary shift from' in page
    response = client.post("/oncall/", {"action": "remove", "shift": shift.pk}, follow=True)
    assert '<p>Shift removed.</p>' in response.content.decode()
    assert not Shift.objects.exists()
    assert '<p>Shift removed.</p>' not in client.get("/oncall/").content.decode()  # said once


def test_adding_a_shift_reports_it(client, bob, north):
    client.force_login(bob)
    response = client.post(
        "/oncall/",
        {
            "action": "add",
            "team": north.pk,
            "supervisor": bob.pk,
            "tier": 1,
            "starts_at": "2030-01-01T09:00",
            "ends_at": "2030-01-01T17:00",
        },
        follow=True,
    )
    assert '<p>Shift added.</p>' in response.content.decode()
