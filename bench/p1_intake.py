"""P1 intake: `POST /api/v1/incidents` at 32 concurrent connections against the web server on 127.0.0.1, ÷ the
raw-insert ceiling (a bare bench-only view doing one INSERT) measured on the same server and database, in the same
run. Also measured in the run, in-process on the same database (`python -m bench.p1_intake --child URL TOKEN`): the
SQL statements of one filing (Django's CaptureQueriesContext, after a first filing has loaded the process's caches)
and the CPU per filing (time.process_time over BENCH_P1_CPU_FILINGS filings through Django's test client).

BENCH_P1_SERVERS lists the servers to measure (default `gunicorn,granian`); the first is the figure, the others are
named in its method text. Figures from earlier runs are in the hand-written history at the end of
docs/benchmarks.md, never in the generated text."""

import asyncio
import importlib.util
import json
import os
import subprocess
import sys
import time

from bench import Figure
from bench.harness import DATABASES, ROOT, Result, drive, env_for, pg_available, prepare, scratch_db, server

REQUESTS = int(os.environ.get("BENCH_P1_REQUESTS", "2000"))
CONCURRENCY = int(os.environ.get("BENCH_P1_CONCURRENCY", "32"))
CPU_FILINGS = int(os.environ.get("BENCH_P1_CPU_FILINGS", "200"))
SERVERS = [
    s
    for s in os.environ.get("BENCH_P1_SERVERS", "gunicorn,granian").split(",")
    if s and (s != "granian" or importlib.util.find_spec("granian") is not None)  # granian: only where installed
]
WORKERS = os.environ.get("BENCH_WEB_WORKERS", "4")


def body(i: int) -> bytes:
    report = (
        {"category": "theft", "title": f"壓力測試通報 {i}"}
        if i % 2
        else {"category": "cyber", "cyber_level": 1 + i % 2, "title": f"壓力測試資安事件 {i}"}
    )
    return json.dumps(report, ensure_ascii=False).encode()


def filings(token: str, n: int) -> list[tuple[str, str, bytes, dict[str, str]]]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return [("POST", "/api/v1/incidents", body(i), headers) for i in range(n)]


def child(token: str) -> dict[str, float]:
    """In this process (bench settings, the scratch database): statements of one filing and CPU per filing."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")

    def file(i: int) -> None:
        response = client.post("/api/v1/incidents", body(i), content_type="application/json")
        if response.status_code != 201:
            raise RuntimeError(f"filing answered {response.status_code}: {response.content[:300]!r}")

    file(0)  # the first request of a process loads its caches
    with CaptureQueriesContext(connection) as queries:
        file(1)
    sql = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    control = sum(1 for s in sql if s in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK"))
    began = time.process_time()
    for i in range(CPU_FILINGS):
        file(i)
    cpu = (time.process_time() - began) / CPU_FILINGS
    return {"statements": len(sql) - control, "control": control, "cpu_ms": cpu * 1000}


def in_process(url: str, token: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.p1_intake", "--child", token],
        env=env_for(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def measure(kind: str) -> tuple[dict[str, tuple[Result, Result]], dict[str, float]]:
    runs = {}
    with scratch_db(kind) as url:
        token = prepare(url)
        for web in SERVERS:
            with server(url, kind=web) as port:
                raw = [("POST", "/bench/insert", f"ceiling {i}".encode(), {}) for i in range(REQUESTS)]
                ceiling = asyncio.run(drive(port, raw, CONCURRENCY))
                intake = asyncio.run(drive(port, filings(token, REQUESTS), CONCURRENCY))
            runs[web] = (intake, ceiling)
        cost = in_process(url, token)
    return runs, cost


def _line(web: str, intake: Result, ceiling: Result) -> str:
    ratio = intake.rate / ceiling.rate if ceiling.rate else 0.0
    return (
        f"{web}: **{intake.rate:,.0f} req/s**, p50 {intake.pct(50):.1f} ms, p95 {intake.pct(95):.1f} ms, "
        f"p99 {intake.pct(99):.1f} ms, statuses {intake.statuses}; ceiling {ceiling.rate:,.0f} req/s, p95 "
        f"{ceiling.pct(95):.1f} ms; ratio {ratio:.2f}"
    )


def run() -> list[Figure]:
    figures = []
    for kind in DATABASES:
        if kind == "postgres" and not pg_available():
            continue
        runs, cost = measure(kind)
        intake, ceiling = runs[SERVERS[0]]
        ratio = intake.rate / ceiling.rate if ceiling.rate else 0.0
        p95 = intake.pct(95)
        others = "; ".join(_line(web, *runs[web]) for web in SERVERS[1:])
        figures.append(
            Figure(
                "P1",
                f"intake ÷ raw-insert ceiling ({kind})",
                ratio,
                "",
                "≥ 0.3 and p95 < 100 ms (stretch: 0.5, 50 ms)",
                ratio >= 0.3 and p95 < 100 and intake.errors == 0,
                f"{REQUESTS:,} `POST /api/v1/incidents` (token auth, routing, outbox) over {CONCURRENCY} concurrent "
                f"connections on 127.0.0.1 to {SERVERS[0]} ({WORKERS} worker processes, one thread each, persistent "
                f"DB connections): {_line(SERVERS[0], intake, ceiling)} — the ceiling being the same server and "
                "database answering a bench-only view that does one INSERT. "
                + (f"The same run with {others}. " if others else "")
                + f"In-process on the same database: {cost['statements']:.0f} SQL statements per filing (plus "
                f"{cost['control']:.0f} for its one transaction), {cost['cpu_ms']:.1f} ms of CPU per filing (mean of "
                f"{CPU_FILINGS}). The filing path (incidents.filing): the token, the user's roles, the routing rules "
                "and the roster come from per-process caches checked by one read of the cache generation; then one "
                "transaction — the reference number in one upsert that also counts the filer's recent reports (the "
                "rate limit), the report, its clocks, notifications and deliveries and its timeline in one INSERT "
                "each, the audit entries appended together last (head, entries, head); one worker task for the "
                "filing's pending deliveries, queued after commit. The load driver (asyncio, one connection per "
                f"request) shares the machine's {os.cpu_count()} cores with the server.",
            )
        )
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(sys.argv[2])))
    else:
        for figure in run():
            print(figure)
