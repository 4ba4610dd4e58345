"""Locking out the agency: ten wrong passwords used to lock any account, administrators included, until someone
unlocked it, and nothing throttled one address guessing at many accounts. Now a lock cools off (15 minutes, doubling
with each lockout in a row), one address is throttled across accounts, and wrong codes count even across sign-ins."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.personas import PASSWORD, current_code

from anwei.accounts.models import SignInThrottle
from anwei.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _sign_in(username: str, password: str, address: str = "10.0.0.1") -> Any:
    return Client().post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def _lock(username: str, address: str = "10.0.0.1") -> Any:
    for _ in range(10):
        response = _sign_in(username, "wrong-password", address)
    return response


def _cool_off_passes(username: str) -> None:
    SignInThrottle.objects.filter(kind="user", label=username).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )


def _minutes_locked(username: str) -> float:
    row = SignInThrottle.objects.get(kind="user", label=username)
    assert row.locked_until is not None
    return (row.locked_until - timezone.now()).total_seconds() / 60


def test_an_administrator_is_locked_for_a_while_not_for_good_and_the_wait_doubles(world: Any) -> None:
    response = _lock("admin")
    assert response.status_code == 429 and int(response["Retry-After"]) > 14 * 60
    assert "請於" in response.content.decode() and "鎖定時間加倍" in response.content.decode()
    assert 14 < _minutes_locked("admin") <= 15
    assert _sign_in("admin", PASSWORD, "10.7.7.7").status_code == 429  # the right password waits too
    _cool_off_passes("admin")
    # nobody had to unlock it; the guesser goes on and waits twice as long, then four times
    assert _lock("admin", "10.0.0.2").status_code == 429
    assert 29 < _minutes_locked("admin") <= 30
    _cool_off_passes("admin")
    _lock("admin", "10.0.0.3")
    assert 59 < _minutes_locked("admin") <= 60
    assert AuditEntry.objects.filter(object_repr="admin", changes__locked_out=True).count() == 3
    _cool_off_passes("admin")
    response = _sign_in("admin", PASSWORD, "10.0.0.4")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/")


def test_trying_while_locked_does_not_lengthen_the_lock(world: Any) -> None:
    _lock("staff_a")
    before = SignInThrottle.objects.get(kind="user", label="staff_a").locked_until
    for _ in range(20):
        assert _sign_in("staff_a", "wrong-password", "10.0.0.9").status_code == 429
    assert SignInThrottle.objects.get(kind="user", label="staff_a").locked_until == before


def test_one_address_guessing_at_many_accounts_is_throttled(world: Any) -> None:
    names = ["staff_a", "staff_b", "supervisor_a", "outsider", "duty", "auditor", "head", "ethics", "admin", "nobody"]
    for name in names:  # three guesses each: no account reaches its own limit
        for _ in range(3):
            response = _sign_in(name, "wrong-password", "192.0.2.66")
    assert response.status_code == 429
    assert _sign_in("staff_b", PASSWORD, "192.0.2.66").status_code == 429
    assert _sign_in("staff_b", PASSWORD, "192.0.2.10").status_code == 302  # the accounts themselves are not locked
    assert not SignInThrottle.objects.filter(kind="user", locked_until__isnull=False).exists()
    # an admin lifts the address's lock, on the audit log
    admin = Client()
    admin.force_login(world.users["admin"])
    assert "192.0.2.66" in admin.get("/accounts/security/").content.decode()
    assert admin.post("/accounts/security/unlock/", {"address": "192.0.2.66"}).status_code == 302
    assert AuditEntry.objects.filter(changes__unlocked="192.0.2.66", actor_id=world.users["admin"].pk).exists()
    assert _sign_in("staff_b", PASSWORD, "192.0.2.66").status_code == 302


def test_signing_in_again_with_the_password_does_not_reset_the_wrong_codes(world: Any) -> None:
    """The password alone is not a sign-in: five wrong codes, the password again, five more wrong codes locks."""
    for _ in range(2):
        client = Client()
        assert client.post("/accounts/login/", {"username": "head", "password": PASSWORD}).status_code == 302
        for _ in range(5):
            response = client.post("/accounts/two-factor/", {"token": "000000"})
    assert response.status_code == 429
    assert _sign_in("head", PASSWORD).status_code == 429


def test_a_full_sign_in_clears_the_count(world: Any) -> None:
    for _ in range(9):
        _sign_in("ethics", "wrong-password")
    client = Client()
    client.post("/accounts/login/", {"username": "ethics", "password": PASSWORD})
    assert client.post("/accounts/two-factor/", {"token": current_code(world.users["ethics"])}).status_code == 302
    assert SignInThrottle.objects.get(kind="user", label="ethics").failures == 0
    assert _sign_in("ethics", "wrong-password").status_code == 200  # one more wrong is just one
