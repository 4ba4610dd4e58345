"""P2 delivery latency: a report committed (filed through the API on gunicorn) → its e-mail received by a local SMTP
server (aiosmtpd on 127.0.0.1), with `python -m anwei worker` running. Conservative: the start is the report's
`created_at`, stamped inside the filing transaction before it commits."""

import asyncio
import email
import email.policy
import json
import os
import subprocess
import sys
import time
from typing import Any

from bench import Figure
from bench.harness import ROOT, Result, anwei, drive, env_for, free_port, pg_available, prepare, scratch_db, server
from bench.p1_intake import filings

REPORTS = int(os.environ.get("BENCH_P2_REPORTS", "1000"))
DATABASE = os.environ.get("BENCH_P2_DATABASE", "postgres" if pg_available() else "sqlite")


RATE = float(os.environ.get("BENCH_P2_RATE", "5"))


async def paced(port: int, requests: list[Any]) -> Result:
    """File at a steady RATE per second (a busy night, not a flood), each request on its own connection."""
    result = Result()
    began = time.perf_counter()

    async def one_at(i: int, request: Any) -> None:
        await asyncio.sleep(max(0.0, began + i / RATE - time.perf_counter()))
        part = await drive(port, [request], 1)
        for status, n in part.statuses.items():
            result.statuses[status] = result.statuses.get(status, 0) + n

    await asyncio.gather(*(one_at(i, r) for i, r in enumerate(requests)))
    return result


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[float, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((time.time(), str(message["Subject"])))
        return "250 OK"


def run() -> list[Figure]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    mail = {"ANWEI_EMAIL_HOST": "127.0.0.1", "ANWEI_EMAIL_PORT": str(port)}
    try:
        with scratch_db(DATABASE) as url:
            token = prepare(url)
            worker = subprocess.Popen(
                [sys.executable, "-m", "anwei", "worker", "--no-scheduler"],
                env=env_for(url, **mail),
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                with server(url, **mail) as web:
                    warm = [
                        (
                            "POST",
                            "/api/v1/incidents",
                            json.dumps({"category": "theft", "title": "warm-up"}).encode(),
                            filings(token, 1)[0][3],
                        )
                    ]
                    asyncio.run(drive(web, warm, 1))
                    deadline = time.monotonic() + 60
                    while time.monotonic() < deadline and not any("warm-up" in s for _, s in inbox.received):
                        time.sleep(0.2)  # the worker is up and polling
                    began = time.perf_counter()
                    filed = asyncio.run(paced(web, filings(token, REPORTS)))
                    deadline = time.monotonic() + 120
                    while time.monotonic() < deadline and len({s for _, s in inbox.received}) < REPORTS:
                        time.sleep(0.5)
                    took = time.perf_counter() - began
                script = "import json; from anwei.incidents.models import Incident; print(json.dumps("
                script += "[(i.title, i.created_at.timestamp()) for i in Incident.objects.all()]))"
                created = dict(json.loads(anwei(url, "shell", "-c", script).strip().splitlines()[-1]))
            finally:
                os.killpg(worker.pid, 15)
                worker.wait(timeout=30)
    finally:
        smtp.stop()
    first: dict[str, float] = {}
    for at, subject in inbox.received:
        title = subject.rsplit(" — ", 1)[-1]
        if title.startswith("壓力測試") and title in created and title not in first:
            first[title] = at - created[title]
    latencies = sorted(first.values()) or [float("inf")]

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))]

    missing = REPORTS - len(first)
    p99 = pct(0.99)
    return [
        Figure(
            "P2",
            f"delivery latency p99 ({DATABASE})",
            p99 * 1000,
            "ms",
            "p99 < 1 s",
            p99 < 1 and missing == 0 and filed.errors == 0,
            f"{REPORTS:,} reports filed through the API at {RATE:g}/s (gunicorn) with "
            "`python -m anwei worker --no-scheduler` (default poll interval) sending to aiosmtpd on 127.0.0.1; "
            f"first e-mail per report: p50 {pct(0.5) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max "
            f"{latencies[-1] * 1000:.0f} ms; {len(inbox.received):,} messages in all, reports without a message: "
            f"{missing}; filing statuses {filed.statuses}; whole run {took:.0f} s. Start = the report's "
            "`created_at` (inside the filing transaction), end = the SMTP server's DATA.",
        )
    ]
