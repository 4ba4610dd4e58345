"""More than one worker: BENCH_WORKERS (2) `python -m anwei worker --no-scheduler` processes on one PostgreSQL drain
BENCH_NOTIFICATIONS (10,000) e-mail notifications to a local SMTP server — none sent twice, none missed. (The short
version runs in `make test`: anwei/notifications/tests/test_worker_processes.py.)"""

import json
import os
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from bench import Figure
from bench.harness import ROOT, anwei, env_for, free_port, pg_available, scratch_db

COUNT = int(os.environ.get("BENCH_NOTIFICATIONS", "10000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))

SEED = """
from anwei.directory.models import Agency, Person
from anwei.notifications import services
agency = Agency.objects.create(code="bench", name="測試機關")
people = Person.objects.bulk_create(
    [Person(agency=agency, name=f"收件人{{i}}", email=f"p{{i}}@test.example") for i in range({n})]
)
services.notify(people=people, subject="壓力測試通知", body="請處理", channels=["email"], key="bench-workers")
"""
STATUS = (
    "import json; from django.db.models import Count; from anwei.notifications.models import Delivery; "
    "print(json.dumps({'status': dict(Delivery.objects.values_list('status').annotate(n=Count('id'))), "
    "'by_worker': dict(Delivery.objects.values_list('claimed_by').annotate(n=Count('id')))}))"
)
FAIR_SHARE = 0.1  # each worker sent at least a tenth of its equal share: both did real work


class Inbox:
    def __init__(self) -> None:
        self.ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.ids.append(line.split(b":", 1)[1].strip().decode())
                break
            if not line:
                break
        return "250 OK"


def run() -> list[Figure]:
    if not pg_available():
        return []
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    mail = {"ANWEI_EMAIL_HOST": "127.0.0.1", "ANWEI_EMAIL_PORT": str(port)}
    try:
        with scratch_db("postgres") as url:
            anwei(url, "migrate", "--noinput", "-v", "0")
            anwei(url, "shell", "-c", SEED.format(n=COUNT))
            began = time.perf_counter()
            workers = [
                subprocess.Popen(
                    [sys.executable, "-m", "anwei", "worker", "--no-scheduler"],
                    env=env_for(url, **mail),
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
                for _ in range(WORKERS)
            ]
            try:
                deadline = time.monotonic() + max(300, COUNT / 10)
                while len(inbox.ids) < COUNT and time.monotonic() < deadline:
                    time.sleep(1)
                took = time.perf_counter() - began
                time.sleep(2)
                state = json.loads(anwei(url, "shell", "-c", STATUS).strip().splitlines()[-1])
                statuses, by_worker = state["status"], state["by_worker"]
            finally:
                for w in workers:
                    os.killpg(w.pid, 15)
                    w.wait(timeout=30)
    finally:
        smtp.stop()
    twice = sum(n - 1 for n in Counter(inbox.ids).values() if n > 1)
    missed = COUNT - len(set(inbox.ids))
    shares = sorted(by_worker.values(), reverse=True)  # rows each worker claimed and sent (`claimed_by`)
    shared = len(shares) == WORKERS and min(shares) >= FAIR_SHARE * COUNT / WORKERS
    return [
        Figure(
            "Workers",
            f"{WORKERS} workers drain {COUNT:,} notifications (PostgreSQL): sent twice + missed",
            twice + missed,
            "",
            "0, and each worker did a share",
            twice + missed == 0 and statuses.get("sent") == COUNT and shared,
            f"{COUNT:,} e-mail deliveries in the outbox, {WORKERS} `anwei worker --no-scheduler` processes, aiosmtpd "
            "on "
            f"127.0.0.1: {len(inbox.ids):,} messages in {took:.0f} s ({len(inbox.ids) / took:,.0f}/s), distinct "
            f"Message-IDs {len(set(inbox.ids)):,}, sent twice {twice}, missed {missed}; delivery rows by status "
            f"{statuses}; rows sent by each worker {shares} (each must have sent at least {FAIR_SHARE:.0%} of an "
            f"equal share: {'yes' if shared else 'NO'}).",
        )
    ]
