"""The installable shell: a valid manifest, a service worker served from the root, an offline page
that says what it means, and a favicon (anyone may fetch these; none holds clinical content)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_it_serves_a_valid_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] and manifest["short_name"] == "Consult"
    assert manifest["start_url"] == "/dashboard/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png" and icon["src"].startswith(settings.STATIC_URL)
        width, height = icon["sizes"].split("x")
        png = Path(finders.find(icon["src"].removeprefix(settings.STATIC_URL))).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (
            int(width),
            int(height),
        )


def test_every_page_links_the_manifest(client, alice):
    client.force_login(alice)
    page = client.get("/cases/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page


def test_it_serves_the_service_worker_from_the_root_caching_only_the_shell(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", script).group(1))
    assert shell == [
        "/offline/",
        "/static/css/app.css",
        "/static/js/shell.js",
        "/static/icons/icon.svg",
        "/static/icons/icon-192.png",
    ]
    assert "cache.put" not in script  # nothing fetched later is ever stored


def test_the_offline_page_says_pages_cannot_reach_you(client):
    response = client.get("/offline/")
    assert response.status_code == 200
    assert "offline: pages cannot reach you here" in response.content.decode()


def test_favicon_does_not_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"
