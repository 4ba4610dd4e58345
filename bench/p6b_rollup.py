"""P6b roll-up pages at national scale: the superior's roll-up board and the sitrep list (`GET
/api/v1/rollup/sitreps?date=…`) — p95 and SQL queries per page, first with 10 subordinate agencies, then with 1,000
agencies × a year of daily sitreps, 100,000 report summaries and 100,000 staff (`gen-data --national`). The query
count must not grow.

As P3: pages rendered in-process through Django's full middleware stack (test client, the demo duty officer of the
superior agency, signed in) so the queries can be counted; each measurement in its own process, on PostgreSQL."""

import json
import os
import subprocess
import sys
import time

from bench import Figure
from bench.harness import ROOT, anwei, env_for, pg_available, scratch_db

AGENCIES = int(os.environ.get("BENCH_P6_AGENCIES", "1000"))
STAFF = int(os.environ.get("BENCH_P6_STAFF", "100000"))
SUMMARIES = int(os.environ.get("BENCH_P6_SUMMARIES", "100000"))
DAYS = int(os.environ.get("BENCH_P6_DAYS", "365"))
REPEAT = int(os.environ.get("BENCH_P6B_REPEAT", "40"))
SMALL = 10


def child() -> dict[str, dict[str, float]]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from anwei.accounts.models import User
    from anwei.upward import rules

    day = rules.sitrep_day(timezone.now())
    pages = {
        "roll-up board": "/upward/",
        "sitrep list": f"/api/v1/rollup/sitreps?date={day.isoformat()}",
        "roll-up reports list": "/api/v1/rollup/incidents?open_only=true",
    }
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="duty"))
    out = {}
    for name, url in pages.items():
        assert client.get(url).status_code == 200, (name, url)
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):  # type: ignore[no-untyped-def]
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url)
        times = []
        for _ in range(REPEAT):
            began = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - began)
        times.sort()
        out[name] = {"p95": times[max(0, int(len(times) * 0.95) - 1)] * 1000, "queries": len(queries)}
    return out


def measure(url: str) -> dict[str, dict[str, float]]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.p6b_rollup", "--child"],
        env=env_for(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    figures: dict[str, dict[str, float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def run() -> list[Figure]:
    kind = "postgres" if pg_available() else "sqlite"
    with scratch_db(kind) as url:
        anwei(url, "migrate", "--noinput", "-v", "0")
        anwei(url, "demo")
        national = ["gen-data", "--national", "--agency", "hualien", "--days", str(DAYS)]
        anwei(url, *national, "--agencies", str(SMALL), "--staff", str(SMALL * 10), "--summaries", str(SMALL * 10))
        small = measure(url)
        began = time.perf_counter()
        anwei(url, *national, "--agencies", str(AGENCIES), "--staff", str(STAFF), "--summaries", str(SUMMARIES))
        generated = time.perf_counter() - began
        anwei(url, "shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')")
        large = measure(url)
    figures = []
    for name, fig in large.items():
        grows = fig["queries"] > small[name]["queries"]
        figures.append(
            Figure(
                "P6b",
                f"{name} p95, 1,000 agencies ({kind})",
                fig["p95"],
                "ms",
                "< 150 ms; queries flat",
                fig["p95"] < 150 and not grows,
                f"{kind}; the demo agency as the superior of {AGENCIES:,} agencies with {STAFF:,} staff, "
                f"{DAYS} days of daily sitreps each ({AGENCIES * DAYS:,} roll-up rows) and {SUMMARIES:,} report "
                f"summaries from `gen-data --national` (took {generated:.0f} s). {REPEAT} requests as the superior's "
                f"duty officer: p95 {fig['p95']:.1f} ms with {fig['queries']:.0f} SQL queries at volume vs "
                f"{small[name]['p95']:.1f} ms and {small[name]['queries']:.0f} queries with {SMALL} agencies"
                f"{' — the query count GREW' if grows else ''}. The board shows 100 agencies a page with the "
                "day's counts over all of them, the 100 latest open reports and the open ones by category (partial "
                "index `rollup_incident_open_idx`) and the figures of the page's agencies; the API reads a page of "
                "agencies at a time. Without a replica configured, so all reads on the one database.",
            )
        )
    return figures


if __name__ == "__main__" and "--child" in sys.argv:
    print(json.dumps(child()))
