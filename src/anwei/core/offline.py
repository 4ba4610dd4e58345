"""The installable app: its manifest, its service worker (served at the site's root, so that its scope covers every
page) and the mark on the few form pages a phone may open again without a network.

Only pages marked `Anwei-Offline: 1` are kept by the service worker — the forms a person fills on the move (a
report, an inspection, a corrective-action answer) — besides the static files; no list, record or board is kept.
Every cache is cleared when the person signs out (the sign-out answers `Clear-Site-Data`, and the page clears them
first), and when another person signs in on the same browser (anwei/offline.js)."""

import hashlib
import json
from collections.abc import Callable
from functools import cache, wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _

from anwei.accounts.views_mfa import second_factor_exempt

OFFLINE_HEADER = "Anwei-Offline"
SHELL = (
    "anwei/site.css",
    "anwei/forms.js",
    "anwei/offline.js",
    "anwei/favicon.svg",
    "anwei/icon-192.png",
    "anwei/icon-512.png",
    "incidents/incidents.css",
    "inspections/inspections.css",
)


def offline_page[V: Callable[..., Any]](view: V) -> V:
    """A form page the service worker may keep (for this person, until they sign out) to open it offline."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response: HttpResponseBase = view(request, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200:
            response[OFFLINE_HEADER] = "1"
        return response

    return cast(V, wrapper)


@cache
def shell_version() -> str:
    """Changes whenever a file of the app shell changes: a new service worker, a new cache, the old one dropped."""
    digest = hashlib.sha256()
    for name in SHELL:
        path = finders.find(name)
        if path:
            with open(path, "rb") as file:
                digest.update(file.read())
    digest.update(render_to_string("core/sw.js", {"shell": "[]"}).encode())
    return digest.hexdigest()[:12]


@second_factor_exempt
@login_not_required
def service_worker(request: HttpRequest) -> HttpResponse:
    shell = json.dumps([static(name) for name in SHELL if finders.find(name)])
    body = render_to_string("core/sw.js", {"version": shell_version(), "shell": shell})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@second_factor_exempt
@login_not_required
def manifest(request: HttpRequest) -> JsonResponse:
    manifest = {
        "name": _("Anwei"),
        "short_name": _("Anwei"),
        "lang": "zh-Hant-TW",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#14532d",
        "icons": [
            {"src": static("anwei/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("anwei/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("anwei/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def clears_site_data(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signing out drops what this browser kept for the person: cached pages, drafts and the queue (IndexedDB), the
    service worker. The page clears them itself before it signs out; this is the same for a browser without it."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if request.method == "POST":
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response

    return wrapper
