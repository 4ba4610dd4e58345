"""Request handling in one place: domain errors in page views, the API's one error format for every answer under
/api/v1/, the client address (audit log and lockout alike), and background polling that is not activity."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django.utils import timezone

from anwei.audit.models import AuditEntry
from anwei.core.errors import BusinessRuleError, NotAllowed

from .personas import PASSWORD, World

pytestmark = pytest.mark.django_db

SECRET_NAME = "極機密人員王大明"


def _refuse(request: HttpRequest) -> HttpResponse:
    raise NotAllowed()  # a view that loaded SECRET_NAME's record and was refused


def _break_rule(request: HttpRequest) -> HttpResponse:
    raise BusinessRuleError("A shift must end after it starts.", field="ends_at")


def _crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def _urlpatterns() -> list[Any]:
    from anwei.urls import urlpatterns

    return [
        path("test-refuse/", _refuse),
        path("test-rule/", _break_rule),
        path("api/v1/test-crash", _crash),
        *urlpatterns,
    ]


urlpatterns = _urlpatterns()


@pytest.mark.urls("tests.test_requests")
def test_not_allowed_in_a_page_view_is_the_403_refusal_page(client_for: Any) -> None:
    response = client_for("staff_a").get("/test-refuse/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "您沒有執行此項作業的權限。" in html and "<header" in html
    assert SECRET_NAME not in html


@pytest.mark.urls("tests.test_requests")
def test_business_rule_error_in_a_page_view_is_a_clear_400_page(client_for: Any) -> None:
    response = client_for("staff_a").get("/test-rule/")
    assert response.status_code == 400
    assert "A shift must end after it starts." in response.content.decode()


def _api_error(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]) <= {"code", "message", "fields"}
    return dict(body["error"])


@pytest.mark.parametrize(
    "url",
    ["/api/v1/no-such-thing", "/api/v1/directory/people/1/extra", "/api/v1/directory/peoplex", "/api/v1/"],
)
def test_unknown_api_paths_answer_json_404(client_for: Any, url: str) -> None:
    for client in (client_for("ethics"), Client()):
        response = client.get(url)
        assert response.status_code == 404
        assert _api_error(response)["code"] == "not_found"
    response = client_for("ethics").post(url, "{}", content_type="application/json")
    assert response.status_code == 404 and _api_error(response)["code"] == "not_found"


def test_a_method_the_operation_lacks_answers_json_405_with_allow(client_for: Any, world: World) -> None:
    response = client_for("ethics").delete(f"/api/v1/directory/people/{world.people['in_b'].pk}")
    assert response.status_code == 405
    assert _api_error(response)["code"] == "method_not_allowed"
    assert "PATCH" in response["Allow"] and "GET" in response["Allow"]
    assert response["X-Frame-Options"] == "DENY"  # the security headers stay on the rewritten answer


def test_api_errors_keep_their_own_json(client_for: Any) -> None:
    response = Client().get("/api/v1/directory/people")
    assert response.status_code == 401 and _api_error(response)["code"] == "unauthenticated"
    body = json.dumps({"unit_id": "x", "name": ""})
    response = client_for("ethics").post("/api/v1/directory/people", body, content_type="application/json")
    assert response.status_code == 422 and set(_api_error(response)["fields"]) == {"unit_id", "name"}


@pytest.mark.urls("tests.test_requests")
def test_a_server_error_under_the_api_is_json_too(world: World) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.users["ethics"])
    response = client.get("/api/v1/test-crash")
    assert response.status_code == 500
    error = _api_error(response)
    assert error["code"] == "server_error" and "a bug" not in response.content.decode()


def test_pages_outside_the_api_keep_the_site_404(client_for: Any) -> None:
    response = client_for("staff_a").get("/apiv1/nothing")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


# --- the client address ------------------------------------------------------------------------------------------


def _failed_sign_in(**extra: str) -> None:
    Client().post("/accounts/login/", {"username": "staff_a", "password": "wrong"}, **extra)


@pytest.mark.parametrize(
    ("behind_proxy", "expected"),
    [(False, "10.0.0.7"), (True, "203.0.113.9")],
)
def test_audit_log_and_lockout_record_the_same_client_address(
    world: World, settings: Any, behind_proxy: bool, expected: str
) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if behind_proxy else None
    _failed_sign_in(REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
    entry = AuditEntry.objects.filter(action="login_failed", actor_label="staff_a").latest("seq")
    from anwei.accounts.models import SignInThrottle

    counted = SignInThrottle.objects.get(kind="address")
    assert entry.ip == counted.label == expected


def test_successful_sign_in_behind_the_proxy_records_the_forwarded_address(world: World, settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    Client().post(
        "/accounts/login/",
        {"username": "staff_a", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.44",
    )
    assert AuditEntry.objects.filter(action="login", actor_label="staff_a").latest("seq").ip == "192.0.2.44"


# --- background polling is not activity -------------------------------------------------------------------------

POLL = {"HX-Request": "true", "X-Anwei-Poll": "1"}


def _expiry() -> Any:
    return Session.objects.get().expire_date


def test_polling_does_not_extend_the_session_but_other_requests_do(world: World, settings: Any) -> None:
    client = Client()
    client.force_login(world.users["staff_a"])
    soon = timezone.now() + timedelta(seconds=90)
    Session.objects.update(expire_date=soon)
    response = client.get("/directory/", headers=POLL)
    assert response.status_code == 200
    assert _expiry() == soon and settings.SESSION_COOKIE_NAME not in response.cookies
    response = client.get("/directory/", headers={"HX-Request": "true"})  # the user's own htmx request
    assert _expiry() > soon + timedelta(minutes=20)
    assert settings.SESSION_COOKIE_NAME in response.cookies


def test_a_poll_after_the_idle_timeout_reloads_the_page_instead_of_swapping_in_the_login(world: World) -> None:
    client = Client()
    client.force_login(world.users["staff_a"])
    for _ in range(3):
        assert client.get("/directory/", headers=POLL).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/directory/", headers=POLL)
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    response = client.get("/directory/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
