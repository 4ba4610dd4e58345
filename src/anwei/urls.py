from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.i18n import set_language

from .api import api, not_found
from .core.decorators import second_factor_exempt
from .core.registry import url_prefix, with_module


def _public(patterns: list[Any]) -> list[Any]:
    """The API answers 401 in JSON itself: exempt its views from the login redirect and from the second-factor
    redirect (a session that has not passed a required second factor does not authenticate there)."""
    for item in patterns:
        if isinstance(item, URLPattern):
            # the ignore below: a mark the middleware reads on the view function
            item.callback.login_required = False  # type: ignore[attr-defined]
            # the ignore below: a mark the middleware reads on the view function
            item.callback.second_factor_exempt = True  # type: ignore[attr-defined]
        elif isinstance(item, URLResolver):
            _public(item.url_patterns)
    return patterns


api_patterns, api_app, api_namespace = api.urls
# the catch-all comes last: any other /api/v1/ path answers 404 in the API's JSON error format
api_patterns = [*api_patterns, re_path(r"^.*$", not_found, name="not-found")]

# The API first: its callers (reports filed by the thousand, issue 20) are matched before the pages' patterns.
urlpatterns = [
    path("api/v1/", include((_public(api_patterns), api_app), namespace=api_namespace)),
    *(path(url_prefix(config), include(f"{config.name}.urls")) for config in with_module("urls")),
    path("i18n/setlang/", second_factor_exempt(login_not_required(set_language)), name="set_language"),
]

handler403 = "anwei.core.views.error_403"
handler404 = "anwei.core.views.error_404"
handler500 = "anwei.core.views.error_500"
