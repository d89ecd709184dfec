"""Case lists sort and filter by risk level; a rise to high or imminent prompts an urgent
consult."""

import re

import pytest

from consult.cases.services import case_create

pytestmark = pytest.mark.django_db


def codes(page):
    return re.findall(r'href="/cases/(C-[A-Z0-9]{5})/"', page)


@pytest.fixture
def cases(alice, north):
    made = {}
    for level in ("low", "imminent", "none", "moderate"):
        made[level] = case_create(
            actor=alice, team_id=north.pk, title=f"A {level} case", risk_level=level
        )
    return made


def test_it_sorts_by_risk_highest_first(client, alice, cases):
    client.force_login(alice)
    page = client.get("/cases/?sort=risk").content.decode()
    assert codes(page) == [cases[level].code for level in ("imminent", "moderate", "low", "none")]


def test_it_filters_by_one_risk_level(client, alice, cases):
    client.force_login(alice)
    assert codes(client.get("/cases/?risk=moderate").content.decode()) == [cases["moderate"].code]


def test_it_prompts_an_urgent_consult_after_a_rise_to_high(client, alice, cases):
    client.force_login(alice)
    url = f"/cases/{cases['low'].code}/risk/"
    response = client.post(
        url, {"level": "high", "signs": ["ideation", "plan"], "reason": "Plan disclosed"}
    )
    assert response.status_code == 302 and response.url == url + "?raised=1"
    page = client.get(response.url).content.decode()
    assert 'data-testid="urgent-prompt"' in page and 'data-testid="request-urgent-consult"' in page


def test_it_does_not_prompt_after_a_fall(client, alice, cases):
    client.force_login(alice)
    url = f"/cases/{cases['imminent'].code}/risk/"
    response = client.post(
        url, {"level": "moderate", "reason": "Means removed, safety plan agreed"}
    )
    assert response.url == url
