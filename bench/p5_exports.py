"""P5 exports: the final results report (ODT + PDF) of a 25-day plan period holding 10,000 reports, and a streamed
CSV of 100,000 rows with its peak memory (Python allocations, tracemalloc) compared with 10,000 rows."""

import json
import os
import subprocess
import sys
import time
import tracemalloc

from bench import Figure
from bench.harness import ROOT, anwei, env_for, scratch_db

INCIDENTS = int(os.environ.get("BENCH_P5_INCIDENTS", "10000"))
ROWS = int(os.environ.get("BENCH_P5_CSV_ROWS", "100000"))


def child() -> dict[str, float]:
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from anwei.audit.models import AuditEntry
    from anwei.core.csvstream import model_columns, queryset_csv
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
    columns = model_columns(AuditEntry, "seq", "at", "actor_label", "action", "object_type", "object_id", "hash")
    peaks = {}
    for rows in (ROWS // 10, ROWS):
        tracemalloc.start()
        began_csv = time.perf_counter()
        response = queryset_csv("audit.csv", AuditEntry.objects.order_by("seq")[:rows], columns)
        size = sum(len(chunk) for chunk in response.streaming_content)
        peaks[rows] = (tracemalloc.get_traced_memory()[1], time.perf_counter() - began_csv, size)
        tracemalloc.stop()
    return {
        "in_period": in_period,
        "build": built,
        "odt": odt_done - built,
        "pdf": total - odt_done,
        "total": total,
        "odt_bytes": len(odt),
        "pdf_bytes": len(pdf),
        "small_peak": peaks[ROWS // 10][0],
        "peak": peaks[ROWS][0],
        "csv_seconds": peaks[ROWS][1],
        "csv_bytes": peaks[ROWS][2],
    }


def run() -> list[Figure]:
    with scratch_db("sqlite") as url:
        anwei(url, "migrate", "--noinput", "-v", "0")
        anwei(url, "gen-data", "--incidents", str(INCIDENTS), "--days", "25", "--audit", str(ROWS))
        done = subprocess.run(
            [sys.executable, "-m", "bench.p5_exports", "--child"], env=env_for(url), cwd=ROOT, capture_output=True
        )
        if done.returncode:
            raise RuntimeError(done.stderr.decode()[-3000:])
        r = json.loads(done.stdout.decode().strip().splitlines()[-1])
    growth = r["peak"] / max(1, r["small_peak"])
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
            f"({r['odt_bytes'] // 1024:,} KiB), PDF {r['pdf']:.1f} s ({r['pdf_bytes'] // 1024:,} KiB). Before "
            "(2026-11-25, same sizes): 41.9 s, nearly all in WeasyPrint laying out a 3,700-row table of every major "
            "report (114 pages); profiled, then the report lists the 100 most serious notable reports "
            "(`ANWEI_REPORT_NOTABLE_MAX`) and counts the rest — the reports list and its CSV hold all of them.",
        ),
        Figure(
            "P5",
            f"CSV of {ROWS:,} rows: peak memory ÷ peak at {ROWS // 10:,} rows",
            growth,
            "",
            "flat (≤ 1.5)",
            growth <= 1.5,
            f"`core.csvstream.queryset_csv` over audit entries, consumed as a streaming response: {ROWS:,} rows, "
            f"{r['csv_bytes'] / 1e6:.1f} MB in {r['csv_seconds']:.1f} s, peak Python allocations "
            f"{r['peak'] / 1e6:.2f} MB vs {r['small_peak'] / 1e6:.2f} MB for {ROWS // 10:,} rows (tracemalloc).",
        ),
    ]


if __name__ == "__main__" and "--child" in sys.argv:
    print(json.dumps(child()))
