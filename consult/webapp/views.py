"""The installable shell: web app manifest, service worker, offline page and favicon.

The service worker caches only what is identical for everyone (CSS, the shell script, icons and
the offline page). Pages and JSON carry clinical content and are never cached: navigations go to
the network, and only when it cannot be reached does the offline page answer.
"""

import hashlib
import json
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse

THEME = "#2952a3"
SHELL_FILES = ("css/app.css", "js/shell.js", "icons/icon.svg", "icons/icon-192.png")


def manifest(request):
    return JsonResponse(
        {
            "name": "Consult: peer consultation and supervision",
            "short_name": "Consult",
            "description": (
                "Consult a supervisor, answer pages and keep the case record, from any device."
            ),
            "start_url": reverse("dashboard"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#f5f6f9",
            "theme_color": THEME,
            "icons": [
                {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("icons/icon-maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        },
        content_type="application/manifest+json",
    )


@cache
def shell_version():
    """A hash of the shell's files: a new deploy with a changed stylesheet gets a new cache."""
    digest = hashlib.sha256()
    for name in SHELL_FILES:
        path = finders.find(name)
        digest.update(Path(path).read_bytes() if path else name.encode())
    return digest.hexdigest()[:12]


def service_worker(request):
    """Served from the root, so its scope covers every page of the app."""
    offline_url = reverse("offline")
    shell = [offline_url, *(static(name) for name in SHELL_FILES)]
    response = render(
        request,
        "webapp/sw.js",
        {
            "version": shell_version(),
            "offline_url": json.dumps(offline_url),
            "shell": json.dumps(shell),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"  # the browser checks for a new worker on every visit
    return response


def offline(request):
    return render(request, "webapp/offline.html")


def favicon(request):
    path = finders.find("icons/favicon.ico")
    if path is None:
        raise Http404("no favicon")
    response = HttpResponse(Path(path).read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
