"""Standing credentials — API tokens and calendar-subscription links act for a user without a session — end with
the sessions ("sign out everywhere", a password change), and a new token needs the password (and the code) again."""

from typing import Any

import pytest
from django.test import Client
from tests.personas import PASSWORD, current_code

from anwei.accounts import services
from anwei.accounts.models import ApiToken
from anwei.audit.models import AuditEntry
from anwei.plans import feeds

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-passphrase-2026"


def _credentials(user: Any) -> tuple[str, str]:
    _token, raw = services.create_token(actor=user, user=user, name="script")
    link = f"/reports/calendar/{feeds.reset(actor=user, feed=feeds.REPORTS_CALENDAR)}/anwei.ics"
    return raw, link


def _works(raw: str, link: str) -> tuple[int, int]:
    api = Client().get("/api/v1/directory/people", headers={"authorization": f"Bearer {raw}"}).status_code
    return api, Client().get(link).status_code


def _signed_in(persona: str) -> Client:
    client = Client()
    client.post("/accounts/login/", {"username": persona, "password": PASSWORD})
    return client


def test_sign_out_everywhere_ends_tokens_and_calendar_links(world: Any) -> None:
    raw, link = _credentials(world.users["staff_a"])
    assert _works(raw, link) == (200, 200)
    client = _signed_in("staff_a")
    assert client.post("/accounts/sign-out-everywhere/").status_code == 302
    assert _works(raw, link) == (401, 404)
    assert AuditEntry.objects.filter(action="revoke", object_type="accounts.apitoken").count() == 1
    assert AuditEntry.objects.filter(action="delete", object_type="plans.feedkey").count() == 1


def test_a_password_change_ends_tokens_and_calendar_links(world: Any) -> None:
    raw, link = _credentials(world.users["staff_a"])
    client = _signed_in("staff_a")
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _works(raw, link) == (401, 404)
    assert client.get("/accounts/profile/").status_code == 200  # this session goes on


def test_a_new_token_needs_the_password_again(world: Any) -> None:
    client = _signed_in("staff_a")
    client.post("/accounts/tokens/", {"name": "stolen session"})
    client.post("/accounts/tokens/", {"name": "guess", "password": "wrong-guess-1"})
    assert not ApiToken.objects.filter(user=world.users["staff_a"]).exists()
    # the wrong password counts as a failed sign-in
    assert AuditEntry.objects.filter(action="login_failed", object_repr="staff_a").count() == 1
    client.post("/accounts/tokens/", {"name": "mine", "password": PASSWORD})
    assert list(ApiToken.objects.filter(user=world.users["staff_a"]).values_list("name", flat=True)) == ["mine"]
    assert "anw_" in client.get("/accounts/profile/").content.decode()


def test_a_new_token_needs_the_code_when_the_user_has_an_authenticator(world: Any) -> None:
    client = _signed_in("ethics")
    client.post("/accounts/two-factor/", {"token": current_code(world.users["ethics"])})
    assert client.get("/accounts/profile/").status_code == 200
    client.post("/accounts/tokens/", {"name": "no code", "password": PASSWORD})
    client.post("/accounts/tokens/", {"name": "wrong code", "password": PASSWORD, "code": "000000"})
    assert not ApiToken.objects.filter(user=world.users["ethics"]).exists()
    client.post("/accounts/tokens/", {"name": "ok", "password": PASSWORD, "code": current_code(world.users["ethics"])})
    assert list(ApiToken.objects.filter(user=world.users["ethics"]).values_list("name", flat=True)) == ["ok"]
