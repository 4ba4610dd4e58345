"""Every page and API operation × every persona: the expected status, and no restricted text leaks."""

import json as jsonlib
import re
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from anwei.api import api

from .matrix import Case, all_cases, cases_by_app, setup_world
from .personas import World

CASES = all_cases()


def _routes(patterns: list[Any], prefix: str = "", path: str = "/") -> dict[str, str]:
    """Route name → its path as OpenAPI writes it ("/api/v1/directory/people/{person_id}")."""
    routes: dict[str, str] = {}
    for item in patterns:
        route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(item.pattern))
        if isinstance(item, URLResolver):
            ns = f"{prefix}{item.namespace}:" if item.namespace else prefix
            routes |= _routes(item.url_patterns, ns, path + route)
        elif isinstance(item, URLPattern) and item.name:
            routes[prefix + item.name] = path + route
    return routes


def _route_names(patterns: list[Any]) -> set[str]:
    """Every named page, and every named API route that is not an operation of the OpenAPI document (the
    document itself, its docs page, the API root, the catch-all 404): operations are covered by their own cases
    ("GET /api/v1/…", see test_every_api_operation_has_a_case), everything else by its route name."""
    operation_paths = set(api.get_openapi_schema()["paths"])
    return {name for name, path in _routes(patterns).items() if path not in operation_paths}


def _api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_every_route_has_a_case() -> None:
    covered = {case.route for case in CASES}
    missing = sorted(_route_names(get_resolver().url_patterns) - covered)
    assert not missing, f"routes without a permission-matrix case: {missing}"


def test_api_routes_outside_the_openapi_document_need_a_case_too() -> None:
    """The route check has teeth for the API: the routes that are not operations are found by name."""
    names = _route_names(get_resolver().url_patterns)
    assert {"api:openapi-json", "api:openapi-view", "api:api-root", "api:not-found"} <= names
    assert not any(name.startswith("api:") and name.endswith("list_people") for name in names)


def test_every_api_operation_has_a_case() -> None:
    covered = {case.route for case in CASES}
    missing = sorted(_api_operations() - covered)
    assert not missing, f"API operations without a permission-matrix case: {missing}"


def _request(client: Client, case: Case, world: World) -> Any:
    url = case.url(world) if callable(case.url) else case.url
    data = case.data(world) if callable(case.data) else case.data
    call = getattr(client, case.method)
    if case.json:
        return call(url, data=jsonlib.dumps(data or {}), content_type="application/json")
    return call(url, data=data or {}) if data is not None or case.method != "get" else call(url)


def test_every_app_with_restricted_records_has_restricted_cases() -> None:
    """An app whose records can be restricted (a `restricted` field) must try a restricted record in the matrix,
    with the text that must not leak (see tests.matrix.restricted_and_open)."""
    by_app = cases_by_app()
    restricted_apps = {
        model._meta.app_config.name
        for model in apps.get_models()
        if model._meta.app_config.name.startswith("anwei.")
        and any(f.name in {"restricted", "is_restricted"} for f in model._meta.get_fields())
    }
    missing = sorted(
        app for app in restricted_apps if not any(c.secret and "restricted" in c.label for c in by_app.get(app, []))
    )
    assert not missing, f"apps with restricted records but no restricted-record matrix case: {missing}"


@pytest.mark.django_db
def test_matrix_catches_restricted_text_on_any_page(world: World) -> None:
    """The world-wide check has teeth: text registered as restricted is found on a page that shows it."""
    from .matrix import restricted_text

    setup_world(world)
    case = next(c for c in CASES if c.route == "accounts:profile")
    restricted_text(world, world.users["staff_a"].display_name, may_see={"staff_a"})
    assert _check(case, world) == []
    restricted_text(world, world.users["staff_b"].display_name)
    failures = _check(case, world)
    assert failures and all(f.startswith("staff_b:") for f in failures)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_permission_matrix(case: Case, world: World) -> None:
    setup_world(world)
    failures = _check(case, world)
    assert not failures, "\n".join(failures)


def _check(case: Case, world: World) -> list[str]:
    secret = case.secret(world) if case.secret else None
    failures = []
    for persona in case.personas:
        client = Client()
        if persona != "anonymous":
            client.force_login(world.users[persona])
        with transaction.atomic():
            response = _request(client, case, world)
            transaction.set_rollback(True)
        expected = case.status_for(persona)
        if response.status_code != expected:
            failures.append(f"{persona}: expected {expected}, got {response.status_code}")
        body = b"".join(response) if response.streaming else response.content
        if secret and persona not in case.may_see and secret.encode() in body:
            failures.append(f"{persona}: the response shows restricted text {secret!r}")
        for text, may_see in world.secrets.items():
            if persona not in may_see and text.encode() in body:
                failures.append(f"{persona}: the response shows restricted text {text[:12]!r}… (world.secrets)")
    return failures
