"""Load: 50 simulated users for a bounded time (default 10 minutes; BENCH_LOAD_SECONDS to shorten) against gunicorn
on 127.0.0.1 with the worker delivering to a local SMTP server — each user reads the board API, opens a report and
now and then files one (think time 0.5–1.5 s). Afterwards: 0 errors, every filed report present, every
notification delivered (no pending or failed delivery, one message at the SMTP server per e-mail delivery)."""

import asyncio
import json
import os
import random
import subprocess
import sys
import time
from typing import Any

from bench import Figure
from bench.harness import ROOT, anwei, env_for, free_port, one, pg_available, prepare, scratch_db, server

USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "600"))
DATABASE = os.environ.get("BENCH_LOAD_DATABASE", "postgres" if pg_available() else "sqlite")
FILING_SHARE = 0.2


class Inbox:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


async def users(port: int, token: str) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    stats: dict[str, Any] = {"requests": 0, "errors": [], "filed": [], "latencies": []}
    stop = time.monotonic() + SECONDS

    async def user(n: int) -> None:
        rng = random.Random(n)
        seen: list[int] = []
        i = 0
        while time.monotonic() < stop:
            i += 1
            if rng.random() < FILING_SHARE:
                title = f"負載測試 u{n} #{i}"
                body = json.dumps({"category": "theft", "title": title}, ensure_ascii=False).encode()
                request = ("POST", "/api/v1/incidents", body)
            elif seen and rng.random() < 0.5:
                request = ("GET", f"/api/v1/incidents/{rng.choice(seen)}", b"")
            else:
                request = ("GET", "/api/v1/incidents?limit=20", b"")
            began = time.perf_counter()
            try:
                status, data = await one(port, request[0], request[1], request[2], auth)
            except OSError as exc:
                status, data = 0, str(exc).encode()
            stats["latencies"].append(time.perf_counter() - began)
            stats["requests"] += 1
            if status >= 400 or status == 0:
                stats["errors"].append((request[1], status, data[:200]))
            elif request[0] == "POST":
                stats["filed"].append(title)
                seen.append(json.loads(data)["id"])
            await asyncio.sleep(rng.uniform(0.5, 1.5))

    await asyncio.gather(*(user(n) for n in range(USERS)))
    return stats


def run() -> list[Figure]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    mail = {"ANWEI_EMAIL_HOST": "127.0.0.1", "ANWEI_EMAIL_PORT": str(port)}
    check = (
        "import json; from anwei.incidents.models import Incident; from anwei.notifications.models import Delivery\n"
        "print(json.dumps({'titles': list(Incident.objects.filter(title__startswith='負載測試')"
        ".values_list('title', flat=True)), 'deliveries': {s: Delivery.objects.filter(status=s).count() "
        "for s in ('pending', 'sending', 'sent', 'failed')}, 'email_sent': Delivery.objects.filter("
        "channel='email', status='sent').count()}))"
    )
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
                    stats = asyncio.run(users(web, token))
                deadline = time.monotonic() + 180
                while True:  # the worker drains what is left
                    state = json.loads(anwei(url, "shell", "-c", check).strip().splitlines()[-1])
                    if not (state["deliveries"]["pending"] + state["deliveries"]["sending"]):
                        break
                    if time.monotonic() > deadline:
                        break
                    time.sleep(2)
                time.sleep(1)
            finally:
                os.killpg(worker.pid, 15)
                worker.wait(timeout=30)
    finally:
        smtp.stop()
    # the demo's own reports were e-mailed too: count only what must have arrived by now
    missing = sorted(set(stats["filed"]) - set(state["titles"]))
    doubled = len(state["titles"]) - len(set(state["titles"]))
    undelivered = state["deliveries"]["pending"] + state["deliveries"]["sending"] + state["deliveries"]["failed"]
    lat = sorted(stats["latencies"]) or [0.0]
    p95 = lat[int(len(lat) * 0.95) - 1] * 1000
    ok = not stats["errors"] and not missing and not doubled and not undelivered
    ok = ok and inbox.count >= state["email_sent"]
    return [
        Figure(
            "Load",
            f"{USERS} users for {SECONDS / 60:g} min ({DATABASE}): errors",
            len(stats["errors"]),
            "",
            "0 errors, every report present, every notification delivered",
            ok,
            f"{stats['requests']:,} requests ({FILING_SHARE:.0%} filings, the rest the list and single reports via "
            f"the API), p95 {p95:.0f} ms; {len(stats['filed']):,} reports filed, missing afterwards: {len(missing)}, "
            f"duplicated: {doubled}; deliveries {state['deliveries']}; {inbox.count:,} e-mails received for "
            f"{state['email_sent']:,} e-mail deliveries marked sent. First errors: {stats['errors'][:3]}",
        )
    ]
