"""P1 intake: `POST /api/v1/incidents` at 32 concurrent connections against the web server on 127.0.0.1, ÷ the
raw-insert ceiling (a bare bench-only view doing one INSERT) measured on the same server and database, in the same
run. Also measured in the run, in-process on the same database (`python -m bench.p1_intake --child URL TOKEN`): the
SQL statements of one filing (Django's CaptureQueriesContext, after a first filing has loaded the process's caches)
and the CPU per filing (time.process_time over BENCH_P1_CPU_FILINGS filings through Django's test client).

BENCH_P1_SERVERS lists the servers to measure (default `gunicorn,granian`) and BENCH_P1_WORKERS the worker counts
(default: `serve`'s 2, then 2 × cores); the first server with the first count is the figure, the other set-ups are
named in its method text (granian with the first count only). Figures from earlier runs are in the hand-written
history at the end of docs/benchmarks.md, never in the generated text."""

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
# `serve`'s default (ANWEI_WEB_WORKERS, 2: what a deployment runs unless told otherwise) is the figure; the others
# (2 × cores, the older advice) are measured beside it in the same run and named in the text.
WORKERS = [int(w) for w in os.environ.get("BENCH_P1_WORKERS", f"2,{2 * (os.cpu_count() or 2)}").split(",") if w]


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


Setup = tuple[str, int]  # (web server, worker processes)


def measure(kind: str) -> tuple[dict[Setup, tuple[Result, Result, Result]], dict[str, float]]:
    """Each server set-up on a database of its own (the same demo data, nothing filed before); the ceiling measured
    before and after the intake (a machine whose speed drifts moves both halves, not the ratio alone)."""
    runs = {}
    setups = [(SERVERS[0], w) for w in WORKERS] + [(web, WORKERS[0]) for web in SERVERS[1:]]
    for web, workers in setups:
        with scratch_db(kind) as url:
            token = prepare(url)
            with server(url, workers=workers, kind=web) as port:
                raw: list[tuple[str, str, bytes, dict[str, str]]] = [
                    ("POST", "/bench/insert", f"ceiling {i}".encode(), {}) for i in range(REQUESTS)
                ]
                before = asyncio.run(drive(port, raw, CONCURRENCY))
                intake = asyncio.run(drive(port, filings(token, REQUESTS), CONCURRENCY))
                after = asyncio.run(drive(port, raw, CONCURRENCY))
            runs[(web, workers)] = (intake, before, after)
            if (web, workers) == (SERVERS[0], WORKERS[0]):
                cost = in_process(url, token)
    return runs, cost


def _both(before: Result, after: Result) -> Result:
    """The two ceiling runs as one: every request, the time of both (its rate: the requests over the two times)."""
    statuses = {k: before.statuses.get(k, 0) + after.statuses.get(k, 0) for k in {*before.statuses, *after.statuses}}
    return Result(before.latencies + after.latencies, statuses, [], before.elapsed + after.elapsed)


def _line(setup: Setup, intake: Result, before: Result, after: Result) -> str:
    ceiling = _both(before, after)
    ratio = intake.rate / ceiling.rate if ceiling.rate else 0.0
    return (
        f"{setup[0]} with {setup[1]} workers: **{intake.rate:,.0f} req/s**, p50 {intake.pct(50):.1f} ms, p95 "
        f"{intake.pct(95):.1f} ms, p99 {intake.pct(99):.1f} ms, statuses {intake.statuses}; ceiling "
        f"{ceiling.rate:,.0f} req/s (before {before.rate:,.0f}, after {after.rate:,.0f}), p95 "
        f"{ceiling.pct(95):.1f} ms; ratio {ratio:.2f}"
    )


def run() -> list[Figure]:
    figures = []
    for kind in DATABASES:
        if kind == "postgres" and not pg_available():
            continue
        runs, cost = measure(kind)
        first = (SERVERS[0], WORKERS[0])
        intake, before, after = runs[first]
        ceiling = _both(before, after)
        ratio = intake.rate / ceiling.rate if ceiling.rate else 0.0
        p95 = intake.pct(95)
        others = "; ".join(_line(setup, *runs[setup]) for setup in runs if setup != first)
        figures.append(
            Figure(
                "P1",
                f"intake ÷ raw-insert ceiling ({kind})",
                ratio,
                "",
                "≥ 0.3 and p95 < 100 ms (stretch: 0.5, 50 ms)",
                ratio >= 0.3 and p95 < 100 and intake.errors == 0,
                f"{REQUESTS:,} `POST /api/v1/incidents` (token auth, routing, outbox) over {CONCURRENCY} concurrent "
                f"connections on 127.0.0.1 to {SERVERS[0]} with `serve`'s default of {WORKERS[0]} worker processes "
                f"(one thread each, persistent DB connections): {_line(first, intake, before, after)} — the ceiling "
                f"being the same server and database answering a bench-only view that does one INSERT, {REQUESTS:,} "
                "requests before the intake and as many after it, taken together. "
                + (f"The same run, each set-up on a fresh database: {others}. " if others else "")
                + f"In-process on the same database: {cost['statements']:.0f} SQL statements per filing (plus "
                f"{cost['control']:.0f} for its one transaction), {cost['cpu_ms']:.1f} ms of CPU per filing (mean of "
                f"{CPU_FILINGS}). The filing path (incidents.filing): the token, the user's roles, the routing rules "
                "and the roster come from per-process caches checked by one read of the cache generation; every row "
                "(report, clocks, timeline, notifications, deliveries) is built and its INSERT made before the "
                "transaction begins (core.fastinsert.prepare: what only the transaction knows as core.ahead.Later "
                "values); then one transaction — the reference number in one upsert that also counts the filer's "
                "recent reports (the rate limit) and returns the keys of the new rows and the audit chain's head "
                "(core.ahead.KeysAhead, audit.HeadAhead), then the report, its clocks, timeline, notifications, "
                "deliveries, the one worker task and the audit entries with the head's move, one INSERT each (on "
                "PostgreSQL all in one statement). SQLite: each transaction waits at a writers' gate "
                "(an flock beside the database file) instead of SQLite's sleeping busy handler, its statement "
                "journal in memory; PostgreSQL: statements bound and prepared on the server. The load driver "
                "(asyncio, one connection per request) "
                f"shares the machine's {os.cpu_count()} cores with the server.",
            )
        )
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(sys.argv[2])))
    else:
        for figure in run():
            print(figure)
