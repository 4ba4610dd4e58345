"""Headers and settings (OWASP ASVS 14.4, Django's deployment checklist): CSP without inline scripts, frame denial,
HSTS and secure cookies over HTTPS, `check --deploy` clean with production settings."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _csp(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/directory/", "/accounts/profile/"])
def test_csp_allows_no_inline_script_and_every_script_carries_the_nonce(path: str, client_for: Any) -> None:
    response = client_for("ethics").get(path) if path != "/accounts/login/" else Client().get(path)
    assert response.status_code == 200
    csp = _csp(response)
    scripts = csp["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert any(s.startswith("'nonce-") for s in scripts)
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert csp["default-src"] == ["'self'"] and csp["base-uri"] == ["'self'"]
    nonce = next(s for s in scripts if s.startswith("'nonce-"))[7:-1]
    html = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or f'nonce="{nonce}"' in tag, f"inline script without the nonce: {tag}"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler attribute"


def test_frames_are_denied_and_content_types_not_sniffed(client_for: Any) -> None:
    response = client_for("staff_a").get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    api = client_for("staff_a").get("/api/v1/directory/units")
    assert api["X-Frame-Options"] == "DENY" and api["X-Content-Type-Options"] == "nosniff"


def test_no_hsts_or_secure_cookies_over_plain_http_in_development(settings: Any) -> None:
    assert settings.SECURE_HSTS_SECONDS == 0 and not settings.SESSION_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_COOKIE_SAMESITE == "Lax"


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANWEI_", "PYTEST", "DJANGO_ALLOW_ASYNC"))}
    env.update(
        {
            "ANWEI_TESTING": "false",
            "ANWEI_DEBUG": "false",
            "ANWEI_ALLOWED_HOSTS": "anwei.example.gov.tw",
            "ANWEI_SECRET_KEY": secrets.token_urlsafe(60),
            "ANWEI_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            **extra,
        }
    )
    return env


def _settings_in(env: dict[str, str], names: list[str]) -> dict[str, str]:
    code = "from django.conf import settings as s\n" + "".join(f"print({n!r}, repr(s.{n}))\n" for n in names)
    result = subprocess.run(
        [sys.executable, "-m", "anwei", "shell", "-v", "0", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(line.split(" ", 1) for line in result.stdout.splitlines())


def test_production_settings_turn_on_hsts_and_secure_cookies(tmp_path: Path) -> None:
    values = _settings_in(
        _production_env(tmp_path),
        [
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SECURE_SSL_REDIRECT",
            "DEBUG",
        ],
    )
    assert int(values["SECURE_HSTS_SECONDS"]) >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] == "True"
    assert values["SESSION_COOKIE_SECURE"] == values["CSRF_COOKIE_SECURE"] == "True"
    assert values["SECURE_SSL_REDIRECT"] == "True" and values["DEBUG"] == "False"
    plain = _settings_in(_production_env(tmp_path, ANWEI_HTTPS="false"), ["SECURE_HSTS_SECONDS"])
    assert plain["SECURE_HSTS_SECONDS"] == "0"


def test_https_responses_carry_hsts_and_secure_cookies(settings: Any, world: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client()
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.cookies["csrftoken"]["secure"]
    response = client.post(
        "/accounts/login/",
        {"username": "staff_a", "password": "correct-horse-battery"},
        secure=True,
        headers={"referer": "https://testserver/accounts/login/"},
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "anwei", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_on_debug_in_production(tmp_path: Path) -> None:
    """The check above can fail: DEBUG on in the same environment is reported."""
    result = subprocess.run(
        [sys.executable, "-m", "anwei", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path, ANWEI_DEBUG="true"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "W018" in result.stdout + result.stderr


def test_check_deploy_on_the_embedded_default_names_only_the_https_settings(tmp_path: Path) -> None:
    """`make run`'s set-up (DEBUG off, no ANWEI_ALLOWED_HOSTS, plain HTTP on 127.0.0.1) is reported for HSTS, the
    HTTPS redirect and the two cookies — and nothing else; ANWEI_HTTPS=true alone makes it clean
    (docs/security.md, docs/operations.md)."""
    env = _production_env(tmp_path)
    del env["ANWEI_ALLOWED_HOSTS"], env["ANWEI_SECRET_KEY"]  # the embedded default: a key generated into var/
    result = subprocess.run(
        [sys.executable, "-m", "anwei", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    reported = set(re.findall(r"\(([a-z_]+\.[EW]\d+)\)", result.stdout + result.stderr))
    assert reported == {"security.W004", "security.W008", "security.W010", "security.W016"}, result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "anwei", "check", "--deploy", "--fail-level", "WARNING"],
        env={**env, "ANWEI_HTTPS": "true"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and "no issues" in result.stdout, result.stdout + result.stderr
