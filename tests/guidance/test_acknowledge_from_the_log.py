"""The case owner acknowledges guidance from the guidance log page too, not only from the room,
and is told it is done.

alice owns the North case; bob (North supervisor) logged guidance on it; carol is a North peer.
"""

import pytest

from consult.records.guidance.models import Acknowledgement
from consult.records.guidance.services import guidance_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(bob, north_case):
    return guidance_log(
        actor=bob, case_code=north_case.code, assessment="Engaged", recommendation="Weekly sessions"
    )


def test_the_owner_acknowledges_from_the_log(client, alice, north_case, entry):
    client.force_login(alice)
    log = f"/cases/{north_case.code}/guidance/"
    assert 'data-testid="acknowledge"' in client.get(log).content.decode()
    response = client.post(f"{log}{entry.pk}/ack/", {"next": ""}, follow=True)
    assert response.redirect_chain == [(log, 302)]
    page = response.content.decode()
    assert "Guidance acknowledged." in page
    assert 'data-testid="acknowledge"' not in page and "acknowledged by Alice" in page
    assert Acknowledgement.objects.get().user == alice


def test_nobody_else_is_offered_the_button(client, bob, carol, north_case, entry):
    for person in (bob, carol):
        client.force_login(person)
        assert (
            'data-testid="acknowledge"'
            not in client.get(f"/cases/{north_case.code}/guidance/").content.decode()
        )
