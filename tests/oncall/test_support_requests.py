"""A support request reaches the team's supervisors; one takes it; the requester sees who and when.

alice (North therapist) asks for support after a hard session; bob, dave and erin are North's
supervisors (bob and erin have e-mail addresses). oscar (East) must hear nothing.
"""

import pytest

from consult.core.errors import ValidationFailed
from consult.oncall.consults import consult_request, page_acknowledge
from consult.oncall.models import Delivery
from tests.support.audit import trail

pytestmark = pytest.mark.django_db

QUESTION = "Rough session with the teen; I keep thinking about it."


def test_it_tells_every_supervisor_in_the_app_and_by_email_without_clinical_text(
    alice, bob, dave, erin, oscar, rota, published
):
    for person in (bob, erin):
        person.email = f"{person.username}@example.org"
        person.save()
    consult = consult_request(actor=alice, kind="support", question=QUESTION)
    updated = {g for g, f in published if f["type"] == "consult.updated"}
    assert updated == {f"user.{u.pk}" for u in (alice, bob, dave, erin)}  # not oscar
    mails = Delivery.objects.filter(channel="email").order_by("target")
    assert [m.target for m in mails] == ["bob@example.org", "erin@example.org"]
    for mail in mails:
        assert mail.subject == "[Consult] Support request in team North"
        assert "teen" not in str(mail.payload).lower() and "session" not in mail.subject.lower()
        assert f"/dashboard/#consult-{consult.pk}" in mail.payload["body"]
    notified = [a for a in trail(f"user:{alice.pk}") if a[0] == "support.notified"]
    assert notified == [
        (
            "support.notified",
            None,
            {"consult_id": consult.pk, "recipient_ids": sorted([bob.pk, dave.pk, erin.pk])},
        )
    ]


def test_one_supervisor_takes_it_and_the_requester_sees_who_and_when(
    alice, bob, dave, rota, published
):
    consult = consult_request(actor=alice, kind="support", question=QUESTION)
    published.clear()
    page_acknowledge(actor=bob, consult_id=consult.pk)
    frames = {g: f for g, f in published if f["type"] == "consult.updated"}
    mine = frames[f"user.{alice.pk}"]["consult"]
    assert (mine["state"], mine["acknowledged_by"]["username"]) == ("acknowledged", "bob")
    assert mine["acknowledged_at"] is not None
    assert frames[f"user.{dave.pk}"]["consult"]["state"] == "acknowledged"  # off dave's screens too
    with pytest.raises(ValidationFailed):
        page_acknowledge(actor=dave, consult_id=consult.pk)
