"""The API: personal tokens (hashed, revocable, never more than the owner's permissions), one error format."""

import json
from typing import Any

import pytest
from django.core.management import call_command

from anwei.accounts import services
from anwei.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_token_is_stored_hashed_and_works(client: Any, world: Any) -> None:
    token, raw = services.create_token(actor=None, user=world.users["ethics"], name="t")
    assert raw not in token.token_hash and len(token.token_hash) == 64
    response = client.get("/api/v1/directory/people", **_bearer(raw))
    assert response.status_code == 200
    assert response.json()["count"] >= 2


def test_revoked_or_unknown_token_is_refused(client: Any, world: Any) -> None:
    token, raw = services.create_token(actor=None, user=world.users["ethics"], name="t")
    services.revoke_token(actor=None, token=token)
    for value in (raw, "anw_not-a-token", "garbage"):
        response = client.get("/api/v1/directory/people", **_bearer(value))
        assert response.status_code == 401
        assert response.json() == {"error": {"code": "unauthenticated", "message": response.json()["error"]["message"]}}


def test_token_never_exceeds_its_owners_permissions(client: Any, world: Any) -> None:
    _token, raw = services.create_token(actor=None, user=world.users["staff_a"], name="t")
    body = json.dumps({"unit_id": world.units["a1"].pk, "name": "新人"})
    response = client.post("/api/v1/directory/people", body, content_type="application/json", **_bearer(raw))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_validation_errors_name_the_fields(client: Any, world: Any) -> None:
    _token, raw = services.create_token(actor=None, user=world.users["ethics"], name="t")
    body = json.dumps({"unit_id": world.units["a1"].pk, "name": "", "surprise": 1})
    response = client.post("/api/v1/directory/people", body, content_type="application/json", **_bearer(raw))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"name", "surprise"}


def test_not_found_and_not_visible_look_the_same(client: Any, world: Any) -> None:
    client.force_login(world.users["outsider"])
    hidden = client.get(f"/api/v1/directory/people/{world.people['in_b'].pk}")
    missing = client.get("/api/v1/directory/people/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_token_command_prints_a_working_token(client: Any, world: Any, capsys: Any) -> None:
    call_command("token", "create", "--user", "auditor", "--name", "cli")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith(ApiToken.PREFIX)
    assert client.get("/api/v1/directory/units", **_bearer(raw)).status_code == 200
    call_command("token", "revoke", "--user", "auditor", "--hint", raw[:8])
    assert client.get("/api/v1/directory/units", **_bearer(raw)).status_code == 401


def test_openapi_document_lists_the_directory(client: Any, client_for: Any) -> None:
    # signed out: refused like any operation (docs/security.md, Decisions), the docs page too
    for url in ("/api/v1/openapi.json", "/api/v1/docs"):
        refused = client.get(url)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"
    schema = client_for("staff_a").get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/directory/people/{person_id}" in schema["paths"]


def test_lists_are_paginated_within_bounds(client_for: Any) -> None:
    api = client_for("ethics")
    page = api.get("/api/v1/directory/people?limit=2&offset=1").json()
    assert len(page["items"]) == 2 and page["count"] > 3
    for query in ("offset=228207130000640381003117887488", "limit=100000", "limit=0", "offset=-1"):
        response = api.get(f"/api/v1/directory/people?{query}")
        assert response.status_code == 422, query
        assert response.json()["error"]["code"] == "invalid"


# Two schemas of the same class name become one component of the OpenAPI document (the last one wins), so one
# operation is documented with another's shape (the fuzzing found ContactOut and ItemOut so).
KNOWN_SCHEMA_NAME_CLASHES: set[str] = set()


def test_no_two_api_schemas_share_a_name() -> None:
    from collections import defaultdict

    from ninja import Schema

    from anwei.api import api

    api.get_openapi_schema()  # every router imported

    def subclasses(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *subclasses(sub))]

    modules: dict[str, set[str]] = defaultdict(set)
    for cls in subclasses(Schema):
        if cls.__module__.startswith("anwei."):
            modules[cls.__name__].add(cls.__module__)
    clashes = {name for name, found in modules.items() if len(found) > 1}
    assert clashes <= KNOWN_SCHEMA_NAME_CLASHES, {name: modules[name] for name in clashes}


def test_docs_page_lists_every_operation_in_the_site_layout(client_for: Any) -> None:
    from anwei.api import api

    response = client_for("staff_a").get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hant-TW">' in html and "<script" not in html.split("</head>", 1)[1]
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            assert f"{method.upper()} {path}" in html
    assert "≤ 120 chars" in html  # a body field's limit (UnitIn.name)
