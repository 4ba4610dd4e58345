import csv
import io
import tracemalloc
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from anwei.audit.models import AuditEntry
from anwei.core import rocdate
from anwei.core.csvstream import csv_response, queryset_csv
from anwei.notifications.models import Notification
from anwei.plans.models import Plan
from anwei.reports import daily, services
from anwei.reports.models import ExportJob
from anwei.reports.tasks import run_export


@pytest.fixture
def plan(world: Any) -> Plan:
    now = timezone.now()
    return Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="測試春安計畫",
        period_start=now - timedelta(days=2),
        period_end=now + timedelta(days=2),
        status=Plan.Status.ACTIVE,
    )


def test_export_job_builds_the_file_and_only_its_requester_downloads_it(
    world: Any, plan: Plan, client_for: Any
) -> None:
    ethics = client_for("ethics")
    response = ethics.post(f"/reports/plans/{plan.pk}/final/export/", {"format": "odt"})
    job = ExportJob.objects.get()
    assert response["Location"] == f"/reports/exports/{job.pk}/"
    page = ethics.get(response["Location"]).content.decode()
    assert "<progress" in page and 'hx-trigger="every 1s"' in page and "X-Anwei-Poll" in page
    assert run_export.call(str(job.pk)) == "done"
    job.refresh_from_db()
    assert job.progress == 100 and job.filename.endswith(".odt") and job.file
    page = ethics.get(f"/reports/exports/{job.pk}/").content.decode()
    assert "hx-trigger" not in page and f"/reports/exports/{job.pk}/download/" in page
    download = ethics.get(f"/reports/exports/{job.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    assert client_for("head").get(f"/reports/exports/{job.pk}/download/").status_code == 404
    exports = AuditEntry.objects.filter(action="export", object_id=str(job.pk))
    assert exports.count() == 2  # asked for, downloaded


def test_a_failing_export_is_kept_as_failed_with_a_message(world: Any, plan: Plan) -> None:
    job = services.start_export(actor=world.users["ethics"], kind="final", plan=plan, format="pdf")
    ExportJob.objects.filter(pk=job.pk).update(params={"plan": 999999})
    job.refresh_from_db()
    assert services.run(job).status == ExportJob.Status.FAILED
    job.refresh_from_db()
    assert job.error and not job.file and job.finished_at


def test_daily_report_goes_to_the_head_and_the_ethics_office(world: Any, plan: Plan) -> None:
    assert daily.send_all() == 1
    job = ExportJob.objects.get(kind="daily")
    assert job.status == ExportJob.Status.DONE and job.requested_by is None
    told = set(Notification.objects.filter(source_id=str(job.pk)).values_list("person__name", flat=True))
    assert told == {world.people["head"].name, world.people["ethics"].name}
    assert daily.send_all() == 1 and Notification.objects.count() == 2  # the same day is not announced twice


def test_csv_streams_with_bom_and_flat_memory() -> None:
    def rows(n: int) -> Any:
        for i in range(n):
            yield [i, "資安事件", '=HYPERLINK("x")', None]

    def peak(n: int) -> int:
        response = csv_response("通報.csv", ["編號", "類別", "說明", "備註"], rows(n))
        tracemalloc.start()
        first = b""
        for chunk in response.streaming_content:
            first = first or chunk
        _current, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert first.startswith("\ufeff編號".encode())
        return top

    small, large = peak(1_000), peak(100_000)
    assert large < small * 2 + 64_000, (small, large)
    response = csv_response("通報.csv", ["a"], rows(1))
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in body
    assert "filename*=UTF-8''%E9%80%9A%E5%A0%B1.csv" in response["Content-Disposition"]


def test_the_exports_list_as_csv_holds_what_the_user_may_see_and_is_audited(
    world: Any, plan: Plan, client_for: Any
) -> None:
    mine = services.run(services.start_export(actor=world.users["ethics"], kind="final", plan=plan, format="odt"))
    services.start_export(actor=world.users["head"], kind="final", plan=plan, format="pdf")
    daily.send_all()  # the system's morning report: for everyone who may view the agency's reports
    response = client_for("ethics").get("/reports/exports.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["檔案", "報表", "計畫", "日期", "格式", "狀態", "申請時間", "申請人", "完成時間"]
    by_file = {row[0]: row for row in rows[1:]}
    assert set(by_file) == {mine.filename, ExportJob.objects.get(kind="daily").filename}  # not the head's
    assert by_file[mine.filename][1:6] == ["執行成果報告", "測試春安計畫", "", "ODT", "已完成"]
    assert by_file[mine.filename][7] == world.users["ethics"].display_name
    daily_row = next(row for name, row in by_file.items() if name != mine.filename)
    today = rocdate.today()  # the 民國 date written out: Gregorian year − 1911
    assert daily_row[3] == f"{today.year - 1911}年{today.month}月{today.day}日" and daily_row[7] == "系統自動產製"
    entry = AuditEntry.objects.filter(action="export", object_type="reports.exportjob", actor=world.users["ethics"])
    assert entry.latest("pk").changes == {"csv": True, "rows": 2}


def test_a_queryset_csv_streams_from_the_database_with_flat_memory(world: Any) -> None:
    """queryset_csv over real rows, consumed as the streaming response: the peak while streaming 20,000 rows is about
    that of 4,000. (The queryset is read 2,000 rows at a time, and at a chunk's end the next is fetched before the
    last one is let go: two chunks are the most ever held, however long the list.)"""
    ExportJob.objects.bulk_create(
        ExportJob(kind="final", format="pdf", params={"plan": i}, agency=world.agency, filename=f"成果報告-{i:05d}.pdf")
        for i in range(20_000)
    )
    columns = [("檔案", "filename"), ("格式", "get_format_display"), ("計畫", lambda j: j.params["plan"])]

    def peak(limit: int) -> tuple[int, int]:
        queryset = ExportJob.objects.order_by("filename")[:limit]
        tracemalloc.start()
        response = queryset_csv("匯出.csv", queryset, columns)
        lines = 0
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
        _current, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return lines, top

    peak(10)  # warm up: the first query compiles and caches what later ones reuse
    (small_lines, small), (large_lines, large) = peak(4_000), peak(20_000)
    assert (small_lines, large_lines) == (4_001, 20_001)
    assert large < small * 1.3, (small, large)  # five times the rows; held in memory, five times the peak
