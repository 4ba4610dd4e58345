"""The daily situation report and the results report built from the apps' sections, on real records."""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from odfdo import Document

from anwei.core import rocdate
from anwei.core.documents import render
from anwei.core.documents.blocks import Para, Table
from anwei.incidents.services import file_report
from anwei.plans.models import Plan
from anwei.reports import builders


@pytest.fixture
def plan(world: Any) -> Plan:
    now = timezone.now()
    return Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="測試春安計畫",
        period_start=now - timedelta(days=5),
        period_end=now + timedelta(days=5),
        status=Plan.Status.ACTIVE,
    )


def _earlier_in(window: Any, hours: int) -> Any:
    """A moment in the day's window that is not in the future, whatever the time of day the test runs."""
    return min(window.end, timezone.now()) - timedelta(hours=hours)


def _texts(report: Any) -> list[str]:
    return [b.text for b in report.blocks if isinstance(b, Para)]


def _table(report: Any, caption: str) -> Table:
    return next(b for b in report.blocks if isinstance(b, Table) and b.caption == caption)


def test_quiet_day_says_zero_reports_and_a_busy_day_lists_them_by_category(world: Any, plan: Plan) -> None:
    today = rocdate.today()
    yesterday = today - timedelta(days=1)
    quiet = builders.daily_report(plan, yesterday)
    assert any("零通報" in text for text in _texts(quiet))
    aware = _earlier_in(builders.daily_window(plan, today), 2)
    for category, title in (("cyber", "電子郵件帳號遭盜用"), ("theft", "公務機車失竊"), ("theft", "辦公室筆電失竊")):
        file_report(
            actor=world.users["staff_a"],
            agency=world.agency,
            category=category,
            title=title,
            unit=world.units["a"],
            aware_at=aware,
            cyber_level=2 if category == "cyber" else None,
        )
    busy = builders.daily_report(plan, today)
    assert not any("零通報" in text for text in _texts(busy))
    rows = {row[0]: row[1] for row in _table(busy, "各類通報件數").rows}
    assert rows == {"資安事件": 1, "竊盜": 2, "合計": 3}
    listed = _table(busy, "新通報").rows
    assert {row[2] for row in listed} == {"電子郵件帳號遭盜用", "公務機車失竊", "辦公室筆電失竊"}


def test_restricted_reports_appear_without_their_title(world: Any, plan: Plan) -> None:
    file_report(
        actor=world.users["ethics"],
        agency=world.agency,
        category="leak",
        title="人事資料外洩",
        aware_at=_earlier_in(builders.daily_window(plan, rocdate.today()), 1),
    )
    report = builders.daily_report(plan, rocdate.today())
    assert "人事資料外洩" not in render.html(report)
    assert "人事資料外洩" not in Document(io.BytesIO(render.odt(report))).get_formatted_text()


def test_calendar_feed_has_the_users_deadlines_and_nobody_elses(world: Any, client_for: Any) -> None:
    incident = file_report(
        actor=world.users["staff_a"],
        agency=world.agency,
        category="cyber",
        title="網站遭置換",
        cyber_level=3,
        unit=world.units["a"],
    )
    feed = client_for("staff_a").get("/reports/calendar.ics").content.decode()
    assert feed.startswith("BEGIN:VCALENDAR\r\n") and feed.endswith("END:VCALENDAR\r\n")
    assert feed.count("BEGIN:VEVENT") == incident.deadlines.filter(due_at__isnull=False).count() >= 2
    assert incident.reference in feed and "網站遭置換" not in feed
    assert "BEGIN:VEVENT" not in client_for("staff_b").get("/reports/calendar.ics").content.decode()
