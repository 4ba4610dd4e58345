"""P3 pages at volume: the board, the incident list, a report's page, the audit viewer and the plan dashboard — p95
over HTTP against gunicorn on 127.0.0.1 (signed-in demo users, a spread of pages and report ids), first on a small
generated volume (the demo data and `gen-data` of a hundredth of the volume: the same kinds of rows, a month-long
plan period), then after `gen-data` added the volumes: reports, audit entries and a year-long plan period with its
tasks, daily check-ins, progress notes and linked reports. SQL queries per page are counted in-process (Django's
test client through the full middleware stack, one request per page); that count must not grow with the volume.
The small run has the same kinds of rows as the large one (the demo data alone has no daily check-ins, so a page
asked one query less of it: a difference in kind, not in volume)."""

import asyncio
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from bench import Figure
from bench.harness import ROOT, Result, anwei, drive, env_for, scratch_db, server

INCIDENTS = int(os.environ.get("BENCH_P3_INCIDENTS", "100000"))
AUDIT = int(os.environ.get("BENCH_P3_AUDIT", "1000000"))
PLAN_DAYS = int(os.environ.get("BENCH_P3_PLAN_DAYS", "365"))
SMALL = 100  # the small run's volume: a hundredth of each (at least one report and one audit entry), a month's plan
SMALL_PLAN_DAYS = 30
REPEAT = int(os.environ.get("BENCH_P3_REPEAT", "100"))
DEEPEST = int(os.environ.get("BENCH_P3_PAGES", "100"))  # list pages asked for: 1 … this, at random
DATABASE = os.environ.get("BENCH_P3_DATABASE", "sqlite")
USERS = {"board": "ethics", "incident list (all)": "ethics", "report page": "ethics", "audit viewer": "auditor"}
USERS["plan dashboard"] = "ethics"


def child() -> dict[str, Any]:
    """Signed-in sessions (with the second factor) for the pages' users, the ids to spread the requests over, and
    the SQL queries of one request to each page."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from anwei.accounts.models import User
    from anwei.incidents.models import Incident
    from anwei.plans.models import Plan

    plan = Plan.objects.order_by("-id").first()
    assert plan is not None
    ids = list(Incident.objects.filter(restricted=False).values_list("pk", flat=True))
    out: dict[str, Any] = {"cookies": {}, "queries": {}, "sql": {}, "plan": plan.pk, "incidents": ids}
    out["plan_reports"] = plan.incidents.count()
    clients = {}
    for username in set(USERS.values()):
        client = Client(HTTP_HOST="127.0.0.1")
        user = User.objects.get(username=username)
        client.force_login(user)
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # signed in with the second factor
        session.save()
        clients[username] = client
        out["cookies"][username] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    for name, path in first_paths(out).items():
        client = clients[USERS[name]]
        assert client.get(path).status_code == 200, (name, path)
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):  # type: ignore[no-untyped-def]
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(path)
        out["queries"][name] = len(queries)
        out["sql"][name] = [re.sub(r"\d+", "N", q)[:90] for q in queries]  # to name what a grown count added
    return out


def first_paths(ids: dict[str, Any]) -> dict[str, str]:
    return {
        "board": "/incidents/",
        "incident list (all)": "/incidents/?status=all",
        "report page": f"/incidents/{ids['incidents'][-1]}/",
        "audit viewer": "/audit/",
        "plan dashboard": f"/plans/{ids['plan']}/dashboard/",
    }


def spread(ids: dict[str, Any], name: str, rng: random.Random) -> list[str]:
    """REPEAT paths for a page: list pages 1 … DEEPEST at random (past the last page the list shows its last),
    report ids at random among all reports, the plan's dashboard."""
    pages = [rng.randint(1, DEEPEST) for _ in range(REPEAT)]
    if name == "board":
        return [f"/incidents/?page={p}" for p in pages]
    if name == "incident list (all)":
        return [f"/incidents/?status=all&page={p}" for p in pages]
    if name == "report page":
        return [f"/incidents/{rng.choice(ids['incidents'])}/" for _ in range(REPEAT)]
    if name == "audit viewer":
        return [f"/audit/?page={p}" for p in pages]
    return [f"/plans/{ids['plan']}/dashboard/"] * REPEAT


def measure(url: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.p3_pages", "--child"], env=env_for(url), cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    ids: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    rng = random.Random(22)
    results: dict[str, Result] = {}
    with server(url, workers=2) as port:
        for name, user in USERS.items():
            headers = {"Cookie": ids["cookies"][user]}
            warm = [("GET", first_paths(ids)[name], b"", headers)] * 2
            asyncio.run(drive(port, warm, concurrency=1))
            requests = [("GET", p, b"", headers) for p in spread(ids, name, rng)]
            results[name] = asyncio.run(drive(port, requests, concurrency=1))  # one at a time: latency, not load
    return {"ids": ids, "results": results}


def run() -> list[Figure]:
    with scratch_db(DATABASE) as url:
        anwei(url, "migrate", "--noinput", "-v", "0")
        anwei(url, "demo")
        sizes = (max(1, INCIDENTS // SMALL), max(1, AUDIT // SMALL), min(PLAN_DAYS, SMALL_PLAN_DAYS))
        anwei(url, "gen-data", "--incidents", str(sizes[0]), "--audit", str(sizes[1]), "--plan-days", str(sizes[2]))
        small = measure(url)
        began = time.perf_counter()
        anwei(url, "gen-data", "--incidents", str(INCIDENTS), "--audit", str(AUDIT), "--plan-days", str(PLAN_DAYS))
        generated = time.perf_counter() - began
        large = measure(url)
    figures = []
    volume = (
        f"{DATABASE}, gunicorn (2 sync workers) on 127.0.0.1, one request at a time; volume from `gen-data` (took "
        f"{generated:.0f} s): {INCIDENTS:,} reports, {AUDIT:,} audit entries and a {PLAN_DAYS}-day plan period "
        f"(tasks per unit, daily check-ins, weekly progress notes, {large['ids']['plan_reports']:,} reports linked)"
    )
    for name, result in large["results"].items():
        before, p95 = small["results"][name], result.pct(95)
        queries, small_queries = large["ids"]["queries"][name], small["ids"]["queries"][name]
        grows = queries > small_queries
        added = list((Counter(large["ids"]["sql"][name]) - Counter(small["ids"]["sql"][name])).elements())
        grew = f" — the query count GREW: {added[:2]}" if grows else ""
        ok = p95 < 150 and not grows and result.errors == 0 and before.errors == 0
        figures.append(
            Figure(
                "P3",
                f"{name} p95 at volume (HTTP)",
                p95,
                "ms",
                "< 150 ms; queries flat",
                ok,
                f"{volume}. {len(result.latencies)} requests ({describe(name)}): p50 {result.pct(50):.1f} ms, "
                f"p95 {p95:.1f} ms, statuses {result.statuses}; {queries} SQL queries per page at volume vs "
                f"{small_queries} on the small volume ({sizes[0]:,} reports, {sizes[1]:,} audit entries, a "
                f"{sizes[2]}-day plan period, on the demo data){grew}, where the "
                f"same spread of requests took p95 {before.pct(95):.1f} ms (statuses {before.statuses}).",
            )
        )
    return figures


def describe(name: str) -> str:
    if name == "report page":
        return "report ids at random"
    if name == "plan dashboard":
        return "the generated plan's dashboard"
    return f"pages 1–{DEEPEST} at random"


if __name__ == "__main__" and "--child" in sys.argv:
    print(json.dumps(child()))
