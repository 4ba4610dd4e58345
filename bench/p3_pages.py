"""P3 pages at volume: the board, the incident list, the audit viewer and the plan dashboard — p95 and SQL queries
per page, first on the demo data, then after `gen-data` added the volumes. The query count must not grow.

Pages are rendered in-process through Django's full middleware stack (test client, signed-in demo users) so the
queries can be counted; each child measurement runs in its own process against a scratch database."""

import json
import os
import subprocess
import sys
import time

from bench import Figure
from bench.harness import ROOT, anwei, env_for, scratch_db

INCIDENTS = int(os.environ.get("BENCH_P3_INCIDENTS", "100000"))
AUDIT = int(os.environ.get("BENCH_P3_AUDIT", "1000000"))
REPEAT = int(os.environ.get("BENCH_P3_REPEAT", "40"))
DATABASE = os.environ.get("BENCH_P3_DATABASE", "sqlite")


def child() -> dict[str, dict[str, float]]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from anwei.accounts.models import User
    from anwei.plans.models import Plan

    plan = Plan.objects.order_by("-id").first()
    pages = {
        "board": ("ethics", reverse("incidents:board")),
        "incident list (all)": ("ethics", reverse("incidents:board") + "?status=all"),
        "audit viewer": ("auditor", reverse("audit:index")),
        "plan dashboard": ("ethics", reverse("plans:dashboard", args=[plan.pk]) if plan else "/"),
    }
    out = {}
    for name, (username, url) in pages.items():
        client = Client(HTTP_HOST="127.0.0.1")
        user = User.objects.get(username=username)
        client.force_login(user)
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # signed in with the second factor
        session.save()
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
        [sys.executable, "-m", "bench.p3_pages", "--child"],
        env=env_for(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


BEFORE = {
    "incident list (all)": " Before (2026-11-25): every report on one page, ~450 ms at 100,000; now 50 a page on the "
    "index `incident_newest_first`.",
    "audit viewer": " Before (2026-12-02, same sizes): p95 332 ms, of which ~300 ms the paginator's `COUNT(*)` over "
    "the log through the reader's need-to-know filter; now pages are numbered without a total "
    "(`core.paging.UncountedPage`: one row more than a page tells whether an older page exists).",
}


def run() -> list[Figure]:
    with scratch_db(DATABASE) as url:
        anwei(url, "migrate", "--noinput", "-v", "0")
        anwei(url, "demo")
        small = measure(url)
        began = time.perf_counter()
        anwei(url, "gen-data", "--incidents", str(INCIDENTS), "--audit", str(AUDIT))
        generated = time.perf_counter() - began
        large = measure(url)
    figures = []
    for name, fig in large.items():
        grows = fig["queries"] > small[name]["queries"]
        figures.append(
            Figure(
                "P3",
                f"{name} p95 at volume",
                fig["p95"],
                "ms",
                "< 150 ms; queries flat",
                fig["p95"] < 150 and not grows,
                f"{DATABASE}, {INCIDENTS:,} reports + {AUDIT:,} audit entries from `gen-data` "
                f"(took {generated:.0f} s); "
                f"{REPEAT} requests: p95 {fig['p95']:.1f} ms with {fig['queries']:.0f} SQL queries per page at volume "
                f"vs {small[name]['p95']:.1f} ms and {small[name]['queries']:.0f} queries on the demo data alone"
                f"{' — the query count GREW' if grows else ''}.{BEFORE.get(name, '')}",
            )
        )
    return figures


if __name__ == "__main__" and "--child" in sys.argv:
    print(json.dumps(child()))
