"""Every page and API operation × every persona: the expected status, and no restricted text leaks."""

import json as jsonlib
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from anwei.api import api

from .matrix import ALL_PERSONAS, Case, all_cases, cases_by_app, setup_world
from .personas import World

CASES = all_cases()
EXEMPT_ROUTES = {"api:openapi-json", "api:openapi-view"}


def _route_names(patterns: list[Any], prefix: str = "") -> set[str]:
    names: set[str] = set()
    for item in patterns:
        if isinstance(item, URLResolver):
            ns = f"{prefix}{item.namespace}:" if item.namespace else prefix
            names |= _route_names(item.url_patterns, ns)
        elif isinstance(item, URLPattern) and item.name:
            names.add(prefix + item.name)
    return names


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
    pages = {n for n in _route_names(get_resolver().url_patterns) if not n.startswith("api:")}
    missing = sorted(pages - covered)
    assert not missing, f"pages without a permission-matrix case: {missing}"


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
    for persona in ALL_PERSONAS:
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
