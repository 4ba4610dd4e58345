"""Sign-in security: two-factor (required by role, optional, required for all), recovery codes, lockout and unlock,
session expiry, password change, sign-out everywhere — each through the real pages, each on the audit log."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.matrix import all_cases
from tests.personas import PASSWORD, current_code

from anwei.accounts import services
from anwei.accounts.models import RecoveryCode, User
from anwei.audit import selectors as audit_selectors
from anwei.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def password_step(username: str, password: str = PASSWORD, client: Client | None = None, **extra: Any) -> Any:
    client = client or Client()
    response = client.post("/accounts/login/", {"username": username, "password": password}, **extra)
    return client, response


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def test_ethics_officer_reaches_no_page_without_a_code(world: Any) -> None:
    client, response = password_step("ethics")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/")
    # every page the matrix knows (GET), and the API through the session: nothing before the second factor
    from tests.matrix import setup_world

    setup_world(world)
    for case in all_cases():
        if (
            case.method != "get"
            or case.route.startswith(("accounts:", "GET /api"))
            or case.status_for("anonymous") != 302
        ):
            continue  # pages that need a signed-in user (the two-factor pages themselves excepted)
        url = case.url(world) if callable(case.url) else case.url
        response = client.get(url)
        assert response.status_code == 302, f"{url}: {response.status_code}"
        assert response.url.startswith("/accounts/two-factor/"), url
    assert client.get("/api/v1/directory/people").status_code == 401
    assert client.get("/").status_code == 302
    # a wrong code is refused with a message and counted as a failed sign-in
    response = client.post("/accounts/two-factor/", {"token": "000000"})
    assert response.status_code == 200 and "驗證碼不正確" in response.content.decode()
    assert AuditEntry.objects.filter(action="login_failed", object_repr="ethics").exists()
    # the right code opens everything
    response = client.post("/accounts/two-factor/", {"token": current_code(world.users["ethics"]), "next": "/audit/"})
    assert response.status_code == 302 and response.url == "/audit/"
    assert client.get("/directory/").status_code == 200
    assert client.get("/api/v1/directory/people").status_code == 200
    assert AuditEntry.objects.filter(action="login", actor_id=world.users["ethics"].pk).count() == 2


def test_a_password_only_session_cannot_use_an_acknowledgement_link(world: Any) -> None:
    """The signed link in an escalation's e-mail stops the escalation once acknowledged: the password alone must not
    be enough to use it (nor any other public page that acts for the signed-in user)."""
    from anwei.notifications import links
    from anwei.notifications import services as notifications

    (notification,) = notifications.notify(
        people=[world.people["ethics"]], subject="逾時未處理：升級通報", require_ack=True, channels=["inapp"]
    )
    link = f"/notifications/ack/{links.ack_token(notification)}/"
    client, _ = password_step("ethics")
    for response in (client.get(link), client.post(link, {})):
        assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/"), response
    notification.refresh_from_db()
    assert notification.acknowledged_at is None
    assert client.get("/accounts/login/").url.startswith("/accounts/two-factor/")
    # the second-factor pages, the language switch and signing out stay open
    assert client.get("/accounts/two-factor/").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/two-factor/"}).status_code == 302
    # after the code the same link works
    client.post("/accounts/two-factor/", {"token": current_code(world.users["ethics"])})
    assert client.post(link, {}).status_code == 302
    notification.refresh_from_db()
    assert notification.acknowledged_at is not None


def test_a_code_is_not_accepted_twice(world: Any) -> None:
    code = current_code(world.users["head"])
    client, _ = password_step("head")
    assert client.post("/accounts/two-factor/", {"token": code}).status_code == 302
    other, _ = password_step("head")
    assert other.post("/accounts/two-factor/", {"token": code}).status_code == 200  # replay refused


def test_required_role_without_authenticator_enrols_first_with_a_qr_code(world: Any) -> None:
    TOTPDevice.objects.filter(user=world.users["auditor"]).delete()
    client, response = password_step("auditor")
    assert response.url.startswith("/accounts/two-factor/setup/")
    assert client.get("/audit/").url.startswith("/accounts/two-factor/setup/")
    page = client.get("/accounts/two-factor/setup/")
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("</head>")[1]
    device = TOTPDevice.objects.get(user=world.users["auditor"], confirmed=False)
    assert re.search(r'<code class="secret">[A-Z2-7]{32}</code>', html)
    assert client.post("/accounts/two-factor/setup/", {"token": "123456"}).status_code == 200
    response = client.post("/accounts/two-factor/setup/", {"token": code_for(device)})
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/codes/")
    codes_page = client.get(response.url).content.decode()
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", codes_page)
    assert len(codes) == 10
    # shown once, stored only as hashes
    assert not re.findall(r"<li><code>", client.get("/accounts/two-factor/codes/").content.decode())
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert not stored & set(codes) and len(stored) == 10
    assert client.get("/audit/").status_code == 200
    assert AuditEntry.objects.filter(object_id=str(world.users["auditor"].pk), changes__two_factor="enrolled").exists()
    # a recovery code signs in once
    other, _ = password_step("auditor")
    assert other.post("/accounts/two-factor/", {"token": codes[0].upper()}).status_code == 302
    assert other.get("/audit/").status_code == 200
    third, _ = password_step("auditor")
    assert third.post("/accounts/two-factor/", {"token": codes[0]}).status_code == 200


def test_password_alone_cannot_replace_an_existing_authenticator(world: Any) -> None:
    client, _ = password_step("admin")
    response = client.get("/accounts/two-factor/setup/")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/?")
    assert not TOTPDevice.objects.filter(user=world.users["admin"], confirmed=False).exists()


def test_two_factor_is_optional_for_staff_and_asked_once_enrolled(world: Any) -> None:
    client, response = password_step("staff_a")
    assert response.url == "/"
    assert client.get("/directory/").status_code == 200
    client.get("/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get(user=world.users["staff_a"], confirmed=False)
    assert client.post("/accounts/two-factor/setup/", {"token": code_for(device)}).status_code == 302
    _other, response = password_step("staff_a")
    assert response.url.startswith("/accounts/two-factor/")
    # staff may turn it off again; an ethics officer may not
    assert client.post("/accounts/two-factor/remove/").status_code == 302
    assert not TOTPDevice.objects.filter(user=world.users["staff_a"]).exists()
    ethics = Client()
    ethics.force_login(world.users["ethics"])
    ethics.post("/accounts/two-factor/remove/")
    assert TOTPDevice.objects.filter(user=world.users["ethics"]).exists()


def test_admin_can_require_two_factor_for_everyone(world: Any) -> None:
    admin = Client()
    admin.force_login(world.users["admin"])
    assert admin.post("/accounts/security/", {"mfa_required_for_all": "on"}).status_code == 302
    client, response = password_step("staff_b")
    assert response.url.startswith("/accounts/two-factor/setup/")
    assert client.get("/directory/").url.startswith("/accounts/two-factor/setup/")
    assert AuditEntry.objects.filter(object_type="accounts.securitypolicy", action="update").exists()
    # a non-admin cannot switch it back (even once past the second factor)
    from anwei.accounts.models import SecurityPolicy

    staff = Client()
    staff.force_login(world.users["staff_b"])
    assert staff.post("/accounts/security/", {"mfa_required_for_all": ""}).status_code == 302  # to enrolment
    assert SecurityPolicy.current().mfa_required_for_all


def test_admin_resets_a_lost_authenticator(world: Any) -> None:
    admin = Client()
    admin.force_login(world.users["admin"])
    target = world.users["head"]
    assert admin.post(f"/accounts/users/{target.pk}/two-factor/reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=target).exists()
    _, response = password_step("head")
    assert response.url.startswith("/accounts/two-factor/setup/")


def test_ten_wrong_passwords_lock_the_account_with_a_clear_message(world: Any) -> None:
    client = Client()
    for _ in range(9):
        response = client.post("/accounts/login/", {"username": "ethics", "password": "wrong-password"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "ethics", "password": "wrong-password"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "帳號已鎖定" in html and "系統管理員" in html
    # even the right password no longer works, from any address
    _, response = password_step("ethics", REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert AuditEntry.objects.filter(action="login_failed", object_repr="ethics").count() >= 10
    assert AuditEntry.objects.filter(action="other", object_repr="ethics", changes__locked_out=True).exists()
    # other accounts are not affected
    _, response = password_step("staff_a")
    assert response.status_code == 302
    # an admin sees the locked account and unlocks it
    admin = Client()
    admin.force_login(world.users["admin"])
    assert "ethics" in admin.get("/accounts/security/").content.decode()
    assert admin.post("/accounts/security/unlock/", {"username": "ethics"}).status_code == 302
    assert AuditEntry.objects.filter(changes__unlocked="ethics").exists()
    _, response = password_step("ethics")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/")


def test_wrong_codes_count_towards_the_lockout(world: Any) -> None:
    client, _ = password_step("head")
    for _ in range(9):
        assert client.post("/accounts/two-factor/", {"token": "000000"}).status_code == 200
    assert client.post("/accounts/two-factor/", {"token": "000000"}).status_code == 429
    assert client.get("/").status_code == 302 and "/accounts/login/" in client.get("/").url


def test_session_ends_after_inactivity(world: Any, settings: Any) -> None:
    client, _ = password_step("staff_a")
    assert client.get("/directory/").status_code == 200
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE == 30 * 60
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/directory/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_idle_timeout_comes_from_the_environment(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "ANWEI_SESSION_IDLE_SECONDS": "600", "ANWEI_VAR_DIR": str(tmp_path)}
    code = "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    out = subprocess.run(
        [sys.executable, "-m", "anwei", "shell", "-v", "0", "-c", code], env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == "600", out.stderr


def test_password_change_ends_the_other_sessions(world: Any) -> None:
    laptop, _ = password_step("staff_a")
    phone, _ = password_step("staff_a")
    assert phone.get("/directory/").status_code == 200
    response = laptop.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "1234567890", "new_password2": "1234567890"},
    )
    assert response.status_code == 200 and 'class="errorlist"' in response.content.decode()  # the policy
    new = "a-much-longer-passphrase-2026"
    response = laptop.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert laptop.get("/directory/").status_code == 200  # this session goes on
    assert phone.get("/directory/").status_code == 302  # the other one ended
    assert User.objects.get(username="staff_a").check_password(new)
    assert AuditEntry.objects.filter(changes__password="changed", object_id=str(world.users["staff_a"].pk)).exists()


def test_sign_out_everywhere(world: Any) -> None:
    laptop, _ = password_step("staff_b")
    phone, _ = password_step("staff_b")
    assert laptop.post("/accounts/sign-out-everywhere/").status_code == 302
    assert laptop.get("/directory/").status_code == 302
    assert phone.get("/directory/").status_code == 302
    assert phone.get("/api/v1/directory/people").status_code == 401
    assert AuditEntry.objects.filter(action="logout", changes__everywhere=True).exists()
    again, response = password_step("staff_b")
    assert response.status_code == 302 and again.get("/directory/").status_code == 200


def test_password_policy_uses_django_validators(world: Any) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short", "12345678901234", "password1234", "staff_a-person"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=world.users["staff_a"])
    validate_password("correct-horse-battery-staple")


def test_sign_in_events_keep_the_chain_valid(world: Any) -> None:
    password_step("staff_a", password="wrong")
    client, _ = password_step("ethics")
    client.post("/accounts/two-factor/", {"token": current_code(world.users["ethics"])})
    services.sign_out_everywhere(actor=world.users["ethics"], user=world.users["ethics"])
    assert audit_selectors.verify().ok
