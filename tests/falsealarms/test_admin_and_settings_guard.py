"""Every free-text input is guarded, the admin's too: team names, users' names, the webhook a
team's pages go to. A flagged span is refused unless ticked "not an identifier", audited.

bob supervises North; root is a superuser.
"""

import pytest

from consult.accounts.admin import GuardedTeamForm, GuardedUserChangeForm
from consult.accounts.models import Team
from consult.audit.chain import content_hash
from consult.audit.models import AuditEvent
from consult.core.errors import IdentifierFound
from consult.oncall.admin import GuardedPagingSettingsForm
from consult.oncall.rota import paging_settings_update

pytestmark = pytest.mark.django_db

IDENTIFYING_HOOK = "https://hooks.example.org/notify?patient=John+Smith&mrn=1234567"


@pytest.fixture
def root(db):
    from consult.accounts.models import User

    return User.objects.create_superuser("root", password="pw-root")


def inline_management(prefix="memberships"):
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_a_flagged_team_name_is_refused_in_the_admin_until_its_span_is_ticked(
    flags_names, client, root, north
):
    client.force_login(root)
    url = f"/admin/accounts/team/{north.pk}/change/"
    refused = client.post(url, {"name": "Grace's team", **inline_management()})
    assert refused.status_code == 200
    assert "This looks like it identifies someone: NAME “Grace”" in refused.content.decode()
    assert 'value="name:0:5:NAME"' in refused.content.decode()
    assert Team.objects.get(pk=north.pk).name == "North"

    saved = client.post(
        url, {"name": "Grace's team", "deid_confirm": "name:0:5:NAME", **inline_management()}
    )
    assert saved.status_code == 302
    assert Team.objects.get(pk=north.pk).name == "Grace's team"
    event = AuditEvent.objects.get(action="deid.false_alarm_confirmed")
    assert (event.stream, event.actor_id, event.payload) == (
        f"team:{north.pk}",
        root.pk,
        {
            "team_id": north.pk,
            "field": "name",
            "start": 0,
            "end": 5,
            "kind": "NAME",
            "text_sha256": content_hash("Grace's team"),
        },
    )


def test_a_team_form_without_identifiers_saves_as_before(flags_names, north):
    assert GuardedTeamForm(data={"name": "North east"}, instance=north).is_valid()


def test_users_names_are_guarded(flags_names, bob):
    data = {
        "username": "bob",
        "first_name": "Grace",
        "last_name": "",
        "email": "",
        "role": "supervisor",
        "date_joined": "2025-01-01 00:00:00",
    }
    form = GuardedUserChangeForm(data=data, instance=bob)
    assert not form.is_valid() and "first_name" in form.errors
    confirmed = GuardedUserChangeForm(
        data={**data, "deid_confirm": ["first_name:0:5:NAME"]}, instance=bob
    )
    assert confirmed.is_valid(), confirmed.errors


def test_an_identifying_webhook_is_refused_in_the_admin(north):
    form = GuardedPagingSettingsForm(
        data={
            "team": north.pk,
            "ack_seconds": 180,
            "repeat_seconds": 60,
            "webhook_url": IDENTIFYING_HOOK,
        }
    )
    assert not form.is_valid()
    assert form.errors["webhook_url"][0].startswith(
        "This address carries what looks like an identifier"
    )


def test_an_identifying_webhook_is_refused_on_the_rota_page(bob, north):
    with pytest.raises(IdentifierFound) as refused:
        paging_settings_update(
            actor=bob, team_id=north.pk, ack_seconds=120, webhook_url=IDENTIFYING_HOOK
        )
    assert refused.value.field == "webhook_url"
    assert {f.kind for f in refused.value.findings} >= {"NAME"}


def test_the_rota_page_shows_the_flagged_webhook_and_takes_a_confirmation(client, bob, north):
    client.force_login(bob)
    data = {
        "action": "settings",
        "team": north.pk,
        "ack_seconds": 120,
        "webhook_url": IDENTIFYING_HOOK,
    }
    refused = client.post("/oncall/", data)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert f'value="{IDENTIFYING_HOOK.replace("&", "&amp;")}"' in page
    ticks = [
        line.split('value="')[1].split('"')[0]
        for line in page.splitlines()
        if 'name="deid_confirm"' in line
    ]
    assert ticks
    saved = client.post("/oncall/", {**data, "deid_confirm": ticks})
    assert saved.status_code == 302
    assert {
        e.payload["field"]
        for e in AuditEvent.objects.filter(
            action="deid.false_alarm_confirmed", stream=f"team:{north.pk}"
        )
    } == {"webhook_url"}
