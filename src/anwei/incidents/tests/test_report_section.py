"""The incidents' part of the results report: the notable reports are listed most serious first up to a limit, and
the rest are counted, so a busy period does not turn the report into a hundred pages of rows."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from anwei.core.documents.blocks import Para, Table
from anwei.incidents.services import file_report
from anwei.plans.models import Plan
from anwei.reports import builders


def test_notable_reports_are_the_most_serious_up_to_the_limit(world: Any, settings: Any) -> None:
    settings.ANWEI_REPORT_NOTABLE_MAX = 2
    now = timezone.now()
    plan = Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="測試計畫",
        period_start=now - timedelta(days=3),
        period_end=now + timedelta(days=1),
        status=Plan.Status.ACTIVE,
    )
    filings = [("major", "重大甲"), ("critical", "緊急乙"), ("major", "重大丙"), ("normal", "一般丁")]
    for hours, (severity, title) in enumerate(filings, start=1):
        file_report(
            actor=world.users["ethics"],
            agency=world.agency,
            category="theft",
            title=title,
            severity=severity,
            aware_at=now - timedelta(hours=10 - hours),
        )
    report = builders.final_report(plan)
    table = next(b for b in report.blocks if isinstance(b, Table) and b.caption == "重大通報案件")
    assert [row[3] for row in table.rows] == ["重大甲", "緊急乙"]  # critical, then the earliest major; by time
    note = [b.text for b in report.blocks if isinstance(b, Para) and "最嚴重的" in b.text]
    assert note == ["列出重大通報 3 件中最嚴重的 2 件；全部案件請見通報列表（可篩選並下載 CSV）。"]
