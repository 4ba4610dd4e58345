"""P6a: 1,000 subordinate agencies push their daily sitreps upward in the same minute. A superior instance
(`gen-data --national`: 1,000 linked agencies) served by gunicorn on 127.0.0.1 on PostgreSQL receives one signed
filing per agency (`POST /upward/receive/`, HMAC-signed, applied once and in the link's sequence, audited) from a
driver holding 64 connections open at once; then every sitrep must be in the roll-up. Once with 1 gunicorn worker
process, once with 2 (a day each, so both runs insert), on the same database."""

import asyncio
import json
import os
import time
import uuid
from datetime import date, timedelta

from bench import Figure
from bench.harness import Request, Result, anwei, drive, pg_available, scratch_db, server

AGENCIES = int(os.environ.get("BENCH_P6_AGENCIES", "1000"))
CONCURRENCY = int(os.environ.get("BENCH_P6A_CONCURRENCY", "64"))
LINKS = (
    "import json; from anwei.upward.models import Link; from anwei.upward import rules; "
    "from django.utils import timezone; "
    "print(json.dumps({'day': rules.sitrep_day(timezone.now()).isoformat(), 'links': "
    "[[l.agency.code, l.key, l.secret] for l in Link.objects.select_related('agency').filter(revoked_at=None)]}))"
)


def filings(links: list[list[str]], day: date, sequence: int) -> list[Request]:
    from anwei.upward import signing

    requests = []
    for code, key, secret in links:
        record = {
            "agency": code,
            "uuid": str(uuid.uuid4()),
            "sequence": sequence,
            "kind": "sitrep",
            "filed_at": f"{day.isoformat()}T23:30:00+08:00",
            "payload": {"day": day.isoformat(), "incident_count": 0},
        }
        body = json.dumps(record, sort_keys=True).encode()
        headers = {"Content-Type": "application/json", **signing.headers(key, secret, body)}
        requests.append(("POST", "/upward/receive/", body, headers))
    return requests


def push(url: str, links: list[list[str]], day: date, sequence: int, workers: int) -> tuple[Result, float, int]:
    """Send every agency's sitrep of `day`; the rate, how long until all were in the roll-up, and how many were."""
    import psycopg

    requests = filings(links, day, sequence)
    with server(url, workers=workers) as port:
        began = time.perf_counter()
        result = asyncio.run(drive(port, requests, CONCURRENCY))
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT count(*) FROM upward_rollupsitrep WHERE day = %s", [day]).fetchone()
        visible = int(row[0]) if row else 0
        seen_after = time.perf_counter() - began
    return result, seen_after, visible


def run() -> list[Figure]:
    if not pg_available():
        return []
    with scratch_db("postgres") as url:
        anwei(url, "migrate", "--noinput", "-v", "0")
        anwei(url, "demo")
        national = ["--national", "--agencies", str(AGENCIES), "--staff", str(AGENCIES), "--summaries", "0"]
        anwei(url, "gen-data", *national, "--days", "0")
        world = json.loads(anwei(url, "shell", "-c", LINKS).strip().splitlines()[-1])
        day = date.fromisoformat(world["day"])
        one, one_seen, one_visible = push(url, world["links"], day, 1, workers=1)
        two, two_seen, two_visible = push(url, world["links"], day - timedelta(days=1), 2, workers=2)
    n = len(world["links"])
    speedup = two.rate / one.rate if one.rate else 0.0
    all_in = one_visible == n and two_visible == n and one.errors == 0 and two.errors == 0
    return [
        Figure(
            "P6a",
            f"{n:,} agencies' sitreps in the same minute: 2 workers ÷ 1 (postgres)",
            speedup,
            "×",
            "all accepted and in the roll-up within 60 s; ≥ 1.8× with 2 workers",
            all_in and max(one_seen, two_seen) < 60 and speedup >= 1.8,
            f"{n:,} signed `POST /upward/receive/` (one sitrep per agency, each link's next sequence) over "
            f"{CONCURRENCY} concurrent connections to gunicorn on 127.0.0.1, sync workers, persistent DB "
            f"connections, PostgreSQL. 1 worker: **{one.rate:,.0f} filings/s**, all {one_visible:,} in the roll-up "
            f"{one_seen:.1f} s after the first was sent, p95 {one.pct(95):.0f} ms, statuses {one.statuses}. "
            f"2 workers: **{two.rate:,.0f} filings/s**, all {two_visible:,} in {two_seen:.1f} s, p95 "
            f"{two.pct(95):.0f} ms, statuses {two.statuses}. The machine has {os.cpu_count()} cores shared by the "
            "load driver (asyncio, signing done beforehand), gunicorn and PostgreSQL, so the second worker competes "
            "with them for the same cores; and every accepted filing appends to the one audit chain (its head row "
            "locked until commit), which serialises the commits across workers. The time runs from the first filing "
            "sent to the roll-up rows counted afterwards (one SQL count).",
        )
    ]
