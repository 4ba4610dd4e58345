"""The processes `make run` starts: `anwei run` serves pages and runs the worker; Ctrl-C stops both."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ANWEI_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "ANWEI_TESTING": "true",
        "ANWEI_WORKER_INTERVAL": "0.2",
    }


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "anwei", *args], env=env, capture_output=True, text=True, timeout=180, check=True
    )
    return result.stdout


def test_worker_runs_queued_tasks(tmp_path: Path) -> None:
    env = _env(tmp_path)
    _manage(env, "migrate", "-v0")
    enqueue = "from anwei.audit.tasks import daily_checkpoint; print(daily_checkpoint.enqueue().id)"
    task_id = _manage(env, "shell", "-v", "0", "-c", enqueue).strip()
    _manage(env, "db_worker", "--batch", "--no-startup-delay")
    check = f"from anwei.audit.tasks import daily_checkpoint; print(daily_checkpoint.get_result('{task_id}').status)"
    assert _manage(env, "shell", "-v", "0", "-c", check).strip() == "SUCCESSFUL"
    assert "#0" in _manage(env, "audit", "checkpoints")


def test_run_serves_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    env = _env(tmp_path)
    port = _free_port()
    env["ANWEI_BIND"] = f"127.0.0.1:{port}"
    _manage(env, "migrate", "-v0")
    proc = subprocess.Popen(
        [sys.executable, "-m", "anwei", "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
            assert "登入安維系統" in response.read().decode()
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output and "Stopped." in output
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)


def _serving(port: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                assert response.status == 200
                return
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise
            time.sleep(0.3)


def test_two_instances_on_one_host_share_no_control_socket(tmp_path: Path) -> None:
    """gunicorn's control socket defaults to ~/.gunicorn/gunicorn.ctl: two instances under one account would share
    it (the second replaces the first's). Off unless an instance names its own."""
    home = tmp_path / "home"
    home.mkdir()
    procs = []
    own = tmp_path / "second.ctl"
    _manage(_env(tmp_path), "migrate", "-v0")  # one database is enough to answer /healthz
    try:
        for extra in ({}, {"ANWEI_GUNICORN_CONTROL_SOCKET": str(own)}):
            env = {**_env(tmp_path), "HOME": str(home), **extra}
            port = _free_port()
            proc = subprocess.Popen(
                [sys.executable, "-m", "anwei", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            procs.append(proc)
            _serving(port, proc)
        assert not (home / ".gunicorn").exists()
        assert own.is_socket()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
