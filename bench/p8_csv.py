"""P8 CSV: rows per second of the CSV writer (`core.csvstream`), run alone with `python -m bench p8_csv`.

Two figures: the writer over plain rows held in memory (the writer's own cost: one escaping step per cell, the
csv module, the encoding), and the audit log's CSV download as the audit page builds it (the same columns), over
100,000 generated entries in a scratch SQLite file, consumed as the streaming response a browser reads."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator

from bench import Figure
from bench.harness import ROOT, anwei, env_for, scratch_db

ROWS = int(os.environ.get("BENCH_CSV_ROWS", "100000"))
GOAL = 30_000


def _plain_rows(n: int) -> list[list[object]]:
    """Rows like a list page's, already text and numbers: a number, short texts (some Chinese, one a formula someone
    typed), a 民國 date as text, a count."""
    return [
        [
            i,
            f"TPE-{i:06d}",
            "資安事件",
            "政風室 承辦人",
            "=cmd" if i % 97 == 0 else "done",
            "115年12月6日",
            "12時30分",
            3,
        ]
        for i in range(n)
    ]


def child() -> dict[str, float]:
    import django

    django.setup()
    from django.http import StreamingHttpResponse
    from django.test import RequestFactory
    from django.utils import translation

    from anwei.accounts.models import User
    from anwei.audit import views
    from anwei.core.csvstream import rows_as_csv

    translation.activate("zh-hant")
    rows = _plain_rows(ROWS)
    header = ["No.", "Reference", "Category", "Unit", "Status", "Date", "Time", "Count"]
    began = time.perf_counter()
    size = sum(len(chunk) for chunk in rows_as_csv(header, rows))
    plain = time.perf_counter() - began

    user = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench-csv", "", "x")
    request = RequestFactory().get("/audit/export.csv")
    request.user = user
    began = time.perf_counter()
    response = views.export_csv(request)
    assert isinstance(response, StreamingHttpResponse)  # the download streams (a superuser is never refused)
    content = response.streaming_content
    assert isinstance(content, Iterator)  # a sync response: read as the WSGI handler reads it
    audit_bytes = sum(len(chunk) for chunk in content)
    audit = time.perf_counter() - began
    from anwei.audit.models import AuditEntry

    audit_rows = AuditEntry.objects.count()  # every entry, the download's own among them
    return {
        "plain_seconds": plain,
        "plain_bytes": size,
        "audit_seconds": audit,
        "audit_bytes": audit_bytes,
        "audit_rows": audit_rows,
    }


def run() -> list[Figure]:
    with scratch_db("sqlite") as url:
        anwei(url, "migrate", "--noinput", "-v", "0")
        anwei(url, "gen-data", "--incidents", "0", "--days", "25", "--audit", str(ROWS), "--plan-days", "0")
        done = subprocess.run(
            [sys.executable, "-m", "bench.p8_csv", "--child"], env=env_for(url), cwd=ROOT, capture_output=True
        )
        if done.returncode:
            raise RuntimeError(done.stderr.decode()[-3000:])
        r = json.loads(done.stdout.decode().strip().splitlines()[-1])
    plain_rate = ROWS / r["plain_seconds"]
    audit_rate = r["audit_rows"] / r["audit_seconds"]
    return [
        Figure(
            "P8",
            "CSV writer, plain rows",
            plain_rate,
            "rows/s",
            f"≥ {GOAL:,}/s",
            plain_rate >= GOAL,
            f"`core.csvstream.rows_as_csv` over {ROWS:,} rows of 8 cells held in memory (a number, texts (a 民國 "
            f"date among them), a formula-like text every 97th row), consumed: {r['plain_bytes'] / 1e6:.1f} MB in "
            f"{r['plain_seconds']:.2f} s.",
        ),
        Figure(
            "P8",
            "audit log CSV download",
            audit_rate,
            "rows/s",
            f"≥ {GOAL:,}/s",
            audit_rate >= GOAL,
            f"`audit.views.export_csv` (the audit page's columns) over {r['audit_rows']:,} generated entries "
            f"(gen-data, SQLite file), the streaming response consumed: {r['audit_bytes'] / 1e6:.1f} MB in "
            f"{r['audit_seconds']:.2f} s.",
        ),
    ]


if __name__ == "__main__" and "--child" in sys.argv:
    print(json.dumps(child()))
