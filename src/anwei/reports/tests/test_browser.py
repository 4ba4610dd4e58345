"""The ethics officer, on a phone: the daily situation report, the results report, an export started, its progress
bar, and the file downloaded once the worker (run here in-process) has built it."""

import io
import re
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser import PHONE, assert_accessible, sign_in

from anwei.core import rocdate
from anwei.incidents.services import file_report
from anwei.plans.models import Plan
from anwei.reports import builders
from anwei.reports.models import ExportJob
from anwei.reports.tasks import run_export

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_reports_on_a_phone_export_with_progress_and_download(browser_page: Any, live_server: Any, world: Any) -> None:
    now = timezone.now()
    plan = Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="測試春安計畫",
        period_start=now - timedelta(days=5),
        period_end=now + timedelta(days=5),
        status=Plan.Status.ACTIVE,
    )
    aware = min(builders.daily_window(plan, rocdate.today()).end, now) - timedelta(hours=2)
    for category, title in (("theft", "公務機車失竊"), ("leak", "人事資料外洩")):
        file_report(actor=world.users["ethics"], agency=world.agency, category=category, title=title, aware_at=aware)
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "ethics")
    name = world.users["ethics"].display_name

    page.goto(f"{live_server.url}/reports/plans/{plan.pk}/daily/")
    report = page.locator("article.report")
    expect(report.locator("table caption", has_text="新通報")).to_be_visible()
    assert "公務機車失竊" in report.inner_text() and "人事資料外洩" not in page.content()
    expect(report.locator(".report-banner").first).to_have_text("限閱")
    expect(report.locator(".viewed-by")).to_contain_text(name)
    _fits(page)
    assert_accessible(page)

    page.goto(f"{live_server.url}/reports/plans/{plan.pk}/final/")
    charts = report.locator("figure.report-chart svg")
    assert charts.count() >= 2
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and box["height"] > 50 and box["x"] + box["width"] <= PHONE["width"]
    _fits(page)
    assert_accessible(page)

    with page.expect_navigation():
        page.click("form[action$='/final/export/'] button[value=odt]")
    assert re.search(r"/reports/exports/[0-9a-f-]{36}/$", page.url), page.url
    job = ExportJob.objects.get()
    assert job.requested_by == world.users["ethics"] and job.status == ExportJob.Status.QUEUED
    expect(page.locator("progress#job-progress")).to_be_visible()
    _fits(page)
    assert_accessible(page)

    assert run_export.call(str(job.pk)) == "done"  # the worker, in-process; the page polls and shows the link
    download_link = page.locator(f"a[href='/reports/exports/{job.pk}/download/']")
    expect(download_link).to_be_visible(timeout=10_000)
    expect(page.locator("progress")).to_have_count(0)
    assert_accessible(page)
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".odt")
    with open(download.path(), "rb") as f:
        data = f.read()
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"
    assert name in archive.read("styles.xml").decode()  # the watermark at the foot of every page


def test_the_cover_letter_of_a_days_report_on_a_phone(browser_page: Any, live_server: Any, world: Any) -> None:
    """Issue 21: from the day's report to its 函稿: the form, filled in, fits the phone; the officer corrects the
    subject and downloads the ODT; the 密等 line follows the report's 限閱 marking."""
    now = timezone.now()
    plan = Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="測試春安計畫",
        period_start=now - timedelta(days=5),
        period_end=now + timedelta(days=5),
        status=Plan.Status.ACTIVE,
    )
    aware = min(builders.daily_window(plan, rocdate.today()).end, now) - timedelta(hours=2)
    file_report(actor=world.users["ethics"], agency=world.agency, category="leak", title="人事資料外洩", aware_at=aware)
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "ethics")
    page.goto(f"{live_server.url}/reports/plans/{plan.pk}/daily/")
    with page.expect_navigation():
        page.get_by_role("link", name="函稿").click()
    expect(page.get_by_role("heading", name="函稿")).to_be_visible()
    expect(page.locator("main")).to_contain_text("密（附件抽存後解密）；限閱")
    assert page.get_by_label("受文者").input_value() == "法務部廉政署"
    _fits(page)
    assert_accessible(page)
    page.get_by_label("主旨").fill("檢送本府春安每日狀況表1份，請　鑒核。")
    with page.expect_download() as info:
        page.get_by_role("button", name="下載 ODT").click()
    download = info.value
    assert download.suggested_filename.endswith(".odt")
    with open(download.path(), "rb") as f:
        content = zipfile.ZipFile(io.BytesIO(f.read())).read("content.xml").decode()
    assert "主旨：檢送本府春安每日狀況表1份，請　鑒核。" in content
    assert "密等及解密條件或保密期限：密（附件抽存後解密）；限閱" in content
