"""P5 exports: the final results report (ODT + PDF) of a 25-day plan period holding 10,000 reports, and a streamed
CSV of 100,000 rows with its peak memory (Python allocations, tracemalloc) compared with 10,000 rows."""

import json
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator

from bench import Figure
from bench.harness import ROOT, anwei, env_for, scratch_db

INCIDENTS = int(os.environ.get("BENCH_P5_INCIDENTS", "10000"))
ROWS = int(os.environ.get("BENCH_P5_CSV_ROWS", "100000"))


def csv_child(rows: int) -> dict[str, float]:
    """One CSV size in a process of its own: nothing allocated by an earlier size counts against this one."""
    import django

    django.setup()
    from anwei.audit.models import AuditEntry
    from anwei.core.csvstream import model_columns, queryset_csv

    columns = model_columns(AuditEntry, "seq", "at", "actor_label", "action", "object_type", "object_id", "hash")
    tracemalloc.start()
    began = time.perf_counter()
    response = queryset_csv("audit.csv", AuditEntry.objects.order_by("seq")[:rows], columns)
    content = response.streaming_content
    assert isinstance(content, Iterator)  # a sync response: read as the WSGI handler reads it
    size = sum(len(chunk) for chunk in content)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"peak": peak, "seconds": time.perf_counter() - began, "bytes": size}


def report_child() -> dict[str, float]:
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from anwei.core.documents import render
    from anwei.incidents.models import Incident
    from anwei.plans.models import Plan
    from anwei.reports import builders

    now = timezone.now()
    plan = Plan.objects.order_by("-id").first()
    assert plan is not None
    Plan.objects.filter(pk=plan.pk).update(period_start=now - timedelta(days=25), period_end=now + timedelta(hours=1))
    plan.refresh_from_db()
    in_period = Incident.objects.filter(aware_at__gte=plan.period_start).update(plan=plan)
    began = time.perf_counter()
    report = builders.final_report(plan)
    built = time.perf_counter() - began
    odt = render.odt(report)
    odt_done = time.perf_counter() - began
    pdf = render.pdf(report)
    total = time.perf_counter() - began
    return {
        "in_period": in_period,
        "build": built,
        "odt": odt_done - built,
        "pdf": total - odt_done,
        "total": total,
        "odt_bytes": len(odt),
        "pdf_bytes": len(pdf),
    }


def child(url: str, *args: str) -> dict[str, float]:
    """A fresh `python -m bench.p5_exports --child …` process; its result."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.p5_exports", "--child", *args], env=env_for(url), cwd=ROOT, capture_output=True
    )
    if done.returncode:
        raise RuntimeError(done.stderr.decode()[-3000:])
    return dict(json.loads(done.stdout.decode().strip().splitlines()[-1]))


def run() -> list[Figure]:
    with scratch_db("sqlite") as url:
        anwei(url, "migrate", "--noinput", "-v", "0")
        anwei(url, "gen-data", "--incidents", str(INCIDENTS), "--days", "25", "--audit", str(ROWS), "--plan-days", "0")
        r = child(url, "report")
        small, large = child(url, "csv", str(ROWS // 10)), child(url, "csv", str(ROWS))
    growth = large["peak"] / max(1, small["peak"])
    return [
        Figure(
            "P5",
            "final report ODT + PDF",
            r["total"],
            "s",
            "< 10 s",
            r["total"] < 10,
            f"`reports.builders.final_report` for a 25-day plan period holding {r['in_period']:,} reports (gen-data, "
            f"SQLite), then `render.odt` and `render.pdf`: build {r['build']:.1f} s, ODT {r['odt']:.1f} s "
            f"({r['odt_bytes'] // 1024:,} KiB), PDF {r['pdf']:.1f} s ({r['pdf_bytes'] // 1024:,} KiB). "
            "The report lists "
            "the most serious notable reports (`ANWEI_REPORT_NOTABLE_MAX`) and counts the rest.",
        ),
        Figure(
            "P5",
            f"CSV of {ROWS:,} rows: peak memory ÷ peak at {ROWS // 10:,} rows",
            growth,
            "",
            "flat (≤ 1.5)",
            growth <= 1.5,
            f"`core.csvstream.queryset_csv` over audit entries, consumed as a streaming response, each size in a "
            f"fresh process: {ROWS:,} rows, {large['bytes'] / 1e6:.1f} MB in {large['seconds']:.1f} s, peak Python "
            f"allocations {large['peak'] / 1e6:.2f} MB vs {small['peak'] / 1e6:.2f} MB for {ROWS // 10:,} rows "
            "(tracemalloc, which slows Python several times: this is a memory figure, P8 measures the rate).",
        ),
    ]


if __name__ == "__main__" and "--child" in sys.argv:
    _, kind, *rest = sys.argv[sys.argv.index("--child") :]
    print(json.dumps(report_child() if kind == "report" else csv_child(int(rest[0]))))
