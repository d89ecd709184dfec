"""Every page carries a strict Content-Security-Policy; whatever a signed-in user is shown is
never stored by a browser cache or a proxy (alice owns the North case; oscar is an outsider)."""

import pytest

from tests.support.people import authenticator

pytestmark = pytest.mark.django_db


def test_it_sends_a_csp_without_unsafe_inline_on_the_sign_in_page(client):
    response = client.get("/login/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.parametrize(
    "path",
    [
        "/cases/",
        "/cases/{code}/",
        "/cases/{code}/safety-plan/",
        "/cases/{code}/audit/export.jsonl",
        "/supervision-hours/{alice}.csv",
    ],
)
def test_it_forbids_storing_clinical_responses(client, alice, north_case, path):
    authenticator(
        alice
    )  # an export needs a fresh MFA code: alice has an app and has just given one
    client.force_login(alice)
    response = client.get(path.format(code=north_case.code, alice=alice.pk))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_it_forbids_storing_a_refusal_too(client, oscar, north_case):
    client.force_login(oscar)
    response = client.get(f"/cases/{north_case.code}/")
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"


def test_it_redirects_plain_http_to_https_except_for_probes(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/login/")
    assert (response.status_code, response["Location"]) == (301, "https://testserver/login/")
    assert client.get("/healthz").status_code == 200
