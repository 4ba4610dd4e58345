"""A call of the API with a token passes the pages' middleware (accounts.tokencalls): no session, messages or htmx
are made for it, the token alone says who calls, and it keeps the headers every answer carries."""

from typing import Any

import pytest
from django.test import Client

from anwei.accounts import services
from anwei.accounts.actor import actor_of

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/directory/people"


def _bearer(raw: str) -> dict[str, str]:
    return {"authorization": f"Bearer {raw}"}


def test_a_token_call_gets_no_session_messages_or_htmx_and_keeps_the_security_headers(world: Any) -> None:
    _token, raw = services.create_token(actor=None, user=world.users["ethics"], name="script")
    response = Client().get(PEOPLE, headers=_bearer(raw))
    assert response.status_code == 200
    request = response.wsgi_request
    assert not hasattr(request, "session") and not hasattr(request, "_messages") and not hasattr(request, "htmx")
    assert request.user == world.users["ethics"] and actor_of(request).user == world.users["ethics"]
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert not response.cookies


def test_the_same_call_from_a_signed_in_page_goes_through_them(client_for: Any) -> None:
    response = client_for("ethics").get(PEOPLE)
    assert response.status_code == 200
    request = response.wsgi_request
    assert hasattr(request, "session") and hasattr(request, "_messages") and hasattr(request, "htmx")


def test_the_token_decides_even_beside_a_session_cookie(client_for: Any, world: Any) -> None:
    signed_in = client_for("staff_a")
    _token, raw = services.create_token(actor=None, user=world.users["ethics"], name="script")
    response = signed_in.get(PEOPLE, headers=_bearer(raw))
    assert response.status_code == 200 and response.wsgi_request.user == world.users["ethics"]
    refused = signed_in.get(PEOPLE, headers=_bearer("anw_not-a-token"))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"
    assert signed_in.get(PEOPLE).status_code == 200  # the session alone still signs the page's calls


def test_a_page_with_a_bearer_header_is_not_a_token_call(client_for: Any) -> None:
    response = client_for("ethics").get("/", headers=_bearer("anw_whatever"))
    assert response.status_code == 200 and hasattr(response.wsgi_request, "session")
