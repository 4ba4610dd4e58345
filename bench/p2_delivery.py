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
from bench.harness import (
    ROOT,
    MailEnv,
    Result,
    anwei,
    drive,
    env_for,
    free_port,
    pg_available,
    prepare,
    scratch_db,
    server,
)
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
        self.received: list[tuple[float, str, str]] = []  # (when DATA arrived, subject, Message-ID)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((time.time(), str(message["Subject"]), str(message["Message-ID"])))
        return "250 OK"


# every e-mail the filings sent: each e-mail delivery of a notification made with its report (within 60 s of the
# report's created_at; the worker runs without the scheduler, so no reminder or escalation comes later), with that
# created_at; and the ids of all the reports filed
EXPECTED = """
import json
from datetime import timedelta
from anwei.incidents.models import Incident
from anwei.notifications.channels.email import message_id
from anwei.notifications.models import Delivery
made = {str(i.pk): i.created_at for i in Incident.objects.filter(title__startswith="壓力測試")}
rows = Delivery.objects.filter(
    channel="email", notification__source_type="incidents.incident", notification__source_id__in=list(made)
).select_related("notification")
print(json.dumps({"reports": list(made), "mails": [
    (message_id(d), [d.notification.source_id, made[d.notification.source_id].timestamp()]) for d in rows
    if d.notification.created_at - made[d.notification.source_id] < timedelta(seconds=60)
]}))
"""


def run() -> list[Figure]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    mail: MailEnv = {"ANWEI_EMAIL_HOST": "127.0.0.1", "ANWEI_EMAIL_PORT": str(port)}
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
                    while time.monotonic() < deadline and not any("warm-up" in s for _, s, _ in inbox.received):
                        time.sleep(0.2)  # the worker is up and polling
                    began = time.perf_counter()
                    filed = asyncio.run(paced(web, filings(token, REPORTS)))
                    deadline = time.monotonic() + 120
                    while time.monotonic() < deadline and len({s for _, s, _ in inbox.received}) < REPORTS:
                        time.sleep(0.5)
                    sent = json.loads(anwei(url, "shell", "-c", EXPECTED).strip().splitlines()[-1])
                    expected = dict(sent["mails"])
                    deadline = time.monotonic() + 60
                    while time.monotonic() < deadline and not set(expected) <= {m for _, _, m in inbox.received}:
                        time.sleep(0.5)
                    took = time.perf_counter() - began
            finally:
                os.killpg(worker.pid, 15)
                worker.wait(timeout=30)
    finally:
        smtp.stop()
    arrived: dict[str, float] = {}
    for at, _subject, mid in inbox.received:
        arrived.setdefault(mid, at)  # the first copy, should one come twice
    every = sorted(arrived[m] - start for m, (_, start) in expected.items() if m in arrived) or [float("inf")]
    first: dict[str, float] = {}  # report id → its first e-mail's latency
    for m, (report, start) in expected.items():
        if m in arrived:
            first[report] = min(first.get(report, float("inf")), arrived[m] - start)
    firsts = sorted(first.values()) or [float("inf")]

    def pct(values: list[float], p: float) -> float:
        return values[min(len(values) - 1, int(len(values) * p))]

    lost = len(set(expected) - set(arrived))
    silent = len(set(sent["reports"]) - set(first))  # reports filed of which no e-mail arrived
    p99 = pct(every, 0.99)
    return [
        Figure(
            "P2",
            f"delivery latency p99, every e-mail ({DATABASE})",
            p99 * 1000,
            "ms",
            "p99 < 1 s",
            p99 < 1 and lost == 0 and silent == 0 and filed.errors == 0,
            f"{REPORTS:,} reports filed through the API at {RATE:g}/s (gunicorn) with "
            "`python -m anwei worker --no-scheduler` (default poll interval) sending to aiosmtpd on 127.0.0.1. "
            f"Every e-mail the filings sent ({len(expected):,}, matched by Message-ID): p50 "
            f"{pct(every, 0.5) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {every[-1] * 1000:.0f} ms; not received "
            f"{lost}. First e-mail of each report ({len(first):,} reports): p50 {pct(firsts, 0.5) * 1000:.0f} ms, "
            f"p99 {pct(firsts, 0.99) * 1000:.0f} ms; reports filed without any e-mail {silent}. "
            f"{len(inbox.received):,} messages in all; filing statuses "
            f"{filed.statuses}; whole run {took:.0f} s. Start = the report's `created_at` (inside the filing "
            "transaction), end = the SMTP server's DATA.",
        )
    ]
