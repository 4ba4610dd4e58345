"""Real worker processes (`python -m anwei worker`) delivering e-mail to a real local SMTP server: a worker killed
with SIGKILL in the middle of deliveries loses nothing when started again (only the one message the server had
already taken when the worker died can arrive twice, with the same Message-ID — SMTP cannot do better, RFC 1047),
and two workers on PostgreSQL split the work without sending any row twice."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

from anwei.directory.models import Agency, Person
from anwei.notifications import services
from anwei.notifications.models import Delivery

from .servers import SmtpServer, start_smtp

pytestmark = pytest.mark.django_db(transaction=True)

SEED = """
from anwei.directory.models import Agency, Person
from anwei.notifications import services
agency = Agency.objects.create(code="kill", name="測試機關")
people = [Person.objects.create(agency=agency, name=f"收件人{i}", email=f"p{i}@test.example") for i in range({n})]
services.notify(people=people, subject="資安事件通報", body="請處理", channels=["email"], key="kill-test")
"""
STATUS = """
import json
from anwei.notifications.models import Delivery
print(json.dumps(list(Delivery.objects.values_list("pk", "status"))))
"""
SWEEP = "from anwei.notifications import services; print(services.sweep())"


def _env(tmp_path: Path, smtp: SmtpServer, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ANWEI_VAR_DIR": str(tmp_path),
        "DATABASE_URL": database_url,
        "ANWEI_TESTING": "true",
        "ANWEI_WORKER_INTERVAL": "0.1",
        "ANWEI_EMAIL_HOST": smtp.host,
        "ANWEI_EMAIL_PORT": str(smtp.port),
        "ANWEI_DELIVERY_LEASE_SECONDS": "3",
        "ANWEI_DELIVERY_SWEEP_GRACE": "0",
    }


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "anwei", *args], env=env, capture_output=True, text=True, timeout=180, check=True
    )
    return result.stdout


def _start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    # its own process group, so SIGKILL takes the supervisor and its db_worker child together (a crashed machine)
    return subprocess.Popen(
        [sys.executable, "-m", "anwei", "worker", "--no-scheduler"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _kill(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    proc.wait(timeout=30)


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_sigkill_mid_delivery_loses_nothing_and_resends_at_most_the_message_in_flight(tmp_path: Path) -> None:
    n = 60
    controller, smtp = start_smtp(delay=0.05)  # a slow server: messages are in flight when the worker dies
    env = _env(tmp_path, smtp, f"sqlite:///{tmp_path / 'kill.sqlite3'}")
    workers: list[subprocess.Popen[bytes]] = []
    try:
        _manage(env, "migrate", "-v0")
        _manage(env, "shell", "-v", "0", "-c", SEED.replace("{n}", str(n)))
        workers.append(_start_worker(env))
        _wait(lambda: len(smtp.messages) >= 15, 120, "the first deliveries")
        _kill(workers[-1])
        assert workers[-1].returncode == -signal.SIGKILL
        time.sleep(0.5)  # a message whose DATA was already on the wire may still be accepted
        at_kill = len(smtp.messages)
        assert at_kill < n, "the worker finished before it could be killed"

        workers.append(_start_worker(env))

        def all_sent() -> bool:
            _manage(env, "shell", "-v", "0", "-c", SWEEP)  # the periodic sweeper, run now instead of each minute
            rows = json.loads(_manage(env, "shell", "-v", "0", "-c", STATUS))
            return all(status == "sent" for _, status in rows)

        _wait(all_sent, 120, "every delivery to be sent after the restart")
        _kill(workers[-1], signal.SIGTERM)
    finally:
        for proc in workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        controller.stop()
    ids = Counter(smtp.recorder.message_ids())
    assert len(ids) == n, f"lost: {n - len(ids)}"  # every notification arrived
    duplicates = {mid: count for mid, count in ids.items() if count > 1}
    # At least once: only a message the SMTP server accepted in the instant between its DATA reply and the
    # worker's commit — when SIGKILL fell exactly there — can be sent again, and then with the same Message-ID.
    assert len(duplicates) <= 1 and all(c == 2 for c in duplicates.values()), duplicates
    print(f"killed after {at_kill}/{n} messages; re-sent after the crash: {len(duplicates)}")


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.postgres
def test_two_workers_on_postgresql_split_the_work_without_overlap(tmp_path: Path) -> None:
    n = 240
    controller, smtp = start_smtp(delay=0.005)
    agency = Agency.objects.create(code="two", name="測試機關")
    people = [Person(agency=agency, name=f"收件人{i}", email=f"w{i}@test.example") for i in range(n)]
    Person.objects.bulk_create(people)
    services.notify(people=Person.objects.filter(agency=agency), subject="通報", channels=["email"])
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert len(ids) == n
    services._enqueue(ids)  # every row queued twice: the two workers race for the same rows
    env = _env(tmp_path, smtp, _database_url())
    workers = [_start_worker(env), _start_worker(env)]
    try:
        _wait(lambda: Delivery.objects.filter(status="sent").count() == n, 180, "all deliveries")
        time.sleep(1.0)  # any late duplicate would reach the server now
    finally:
        for proc in workers:
            _kill(proc, signal.SIGTERM)
        controller.stop()
    message_ids = smtp.recorder.message_ids()
    assert len(message_ids) == n and len(set(message_ids)) == n  # each row sent exactly once
    by_worker = Counter(Delivery.objects.values_list("claimed_by", flat=True))
    assert len(by_worker) == 2 and min(by_worker.values()) > n // 10, by_worker  # both took a real share
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
    print(f"split between two workers: {dict(by_worker)}")
