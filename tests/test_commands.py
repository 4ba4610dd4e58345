"""The command line: demo data, settings from the environment."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from anwei.accounts.models import RoleAssignment, User
from anwei.audit import selectors
from anwei.directory.models import Person


@pytest.mark.django_db
def test_demo_loads_the_seed_agency_once(capsys: Any) -> None:
    call_command("demo")
    out = capsys.readouterr().out
    assert "ethics" in out and "anwei-demo-2026" in out
    shen = Person.objects.get(name="沈科長")
    assert shen.mobile == "0982121209" and shen.extension == "315" and shen.fax == "(03)8222605"
    assert set(User.objects.values_list("username", flat=True)) >= {"admin", "ethics", "head", "staff", "auditor"}
    assert RoleAssignment.objects.filter(user__username="supervisor", unit__name="建設處").exists()
    assert selectors.verify().ok
    call_command("demo", "--if-empty")
    assert "nothing loaded" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("demo")


def test_boolean_settings_accept_only_true_or_false(monkeypatch: Any) -> None:
    from anwei.settings import env_bool

    monkeypatch.setenv("X_FLAG", "true")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "False")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "yes")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_FLAG", False)


def test_secret_key_from_file(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("from-a-file-" + "x" * 50)
    env = {**os.environ, "ANWEI_SECRET_KEY_FILE": str(secret), "ANWEI_VAR_DIR": str(tmp_path / "var")}
    env.pop("ANWEI_SECRET_KEY", None)
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    result = subprocess.run(
        [sys.executable, "-m", "anwei", "shell", "-v", "0", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == secret.read_text()
