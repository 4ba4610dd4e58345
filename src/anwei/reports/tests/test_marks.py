"""Every exported report names its viewer and the time across its pages (watermark); a report holding anything from
restricted records (restricted reports, classified-register counts) carries the classification banner."""

import io
import re
import zipfile
from datetime import timedelta
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.utils import timezone
from odfdo import Document

from anwei.classified.tests.factories import item as register_item
from anwei.core import rocdate
from anwei.incidents.services import file_report
from anwei.plans.models import Plan
from anwei.reports import builders, daily, services
from anwei.reports.models import ExportJob


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


def _export(world: Any, plan: Plan, format: str, kind: str = "final", persona: str = "ethics") -> bytes:
    day = rocdate.today() if kind == "daily" else None
    job = services.start_export(actor=world.users[persona], kind=kind, plan=plan, format=format, day=day)
    job = services.run(job)
    assert job.status == ExportJob.Status.DONE, job.error
    with job.file.open("rb") as f:
        return f.read()


def _pdf_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    return "".join(page.get_textpage().get_text_range() for page in pdf).replace("\r\n", "").replace("\n", "")


def _odt_text(data: bytes) -> str:
    """The body and the page header and footer (the master page in styles.xml)."""
    styles = zipfile.ZipFile(io.BytesIO(data)).read("styles.xml").decode()
    return Document(io.BytesIO(data)).get_formatted_text() + styles


def _file_leak(world: Any, plan: Plan) -> None:
    file_report(
        actor=world.users["ethics"],
        agency=world.agency,
        category="leak",
        title="人事資料外洩",
        aware_at=min(builders.daily_window(plan, rocdate.today()).end, timezone.now()) - timedelta(hours=1),
    )


@pytest.mark.parametrize("kind", ["final", "daily"])
def test_every_export_names_the_viewer_and_a_plain_report_has_no_banner(world: Any, plan: Plan, kind: str) -> None:
    name = world.users["head"].display_name
    pdf = pdfium.PdfDocument(_export(world, plan, "pdf", kind, persona="head"))
    pages = [page.get_textpage().get_text_range().replace("\r\n", "") for page in pdf]
    odt = _odt_text(_export(world, plan, "odt", kind, persona="head"))
    for text in pages:
        assert f"檢閱人：{name}" in text
        assert re.search(r"[^閱]\d+ / \d+$", text)  # no banner at the top, nor by the page number
    master = odt.split("<office:master-styles>")[1]
    assert f"檢閱人：{name}" in master.split("<style:footer>")[1] and "<style:header>" not in master
    assert world.users["ethics"].display_name not in "".join(pages) + odt


@pytest.mark.parametrize("kind", ["final", "daily"])
def test_a_restricted_report_in_the_window_puts_the_banner_on_every_format(
    world: Any, plan: Plan, kind: str, client_for: Any
) -> None:
    _file_leak(world, plan)
    name = world.users["ethics"].display_name
    pdf = pdfium.PdfDocument(_export(world, plan, "pdf", kind))
    for page in pdf:  # on every page, at the top and by the page number (@page margin boxes)
        text = page.get_textpage().get_text_range().replace("\r\n", "")
        assert re.search(r"限閱限閱　\d+ / \d+$", text) and f"檢閱人：{name}" in text
    odt = _odt_text(_export(world, plan, "odt", kind))
    header = odt.split("<office:master-styles>")[1]
    assert "<style:header>" in header and "限閱" in header and name in header.split("<style:footer>")[1]
    assert "人事資料外洩" not in odt
    url = f"/reports/plans/{plan.pk}/{kind}/"
    page = client_for("ethics").get(url).content.decode()
    assert page.count('<p class="report-banner">限閱</p>') == 2
    assert f"檢閱人：{name}" in page and "人事資料外洩" not in page


def test_a_restricted_report_closed_before_the_window_does_not_mark_it(world: Any, plan: Plan) -> None:
    _file_leak(world, plan)
    window = builders.daily_window(plan, rocdate.today() + timedelta(days=2))
    from anwei.incidents.models import Incident

    Incident.objects.update(status=Incident.Status.CLOSED, closed_at=window.start - timedelta(minutes=1))
    assert builders.banner("daily", window) == ""
    assert builders.banner("daily", builders.daily_window(plan, rocdate.today())) == "限閱"


def test_classified_register_activity_marks_the_results_report_only(world: Any, plan: Plan) -> None:
    assert builders.final_report(plan).banner == ""
    register_item(world)
    assert builders.final_report(plan).banner == "密"
    assert builders.daily_report(plan, rocdate.today()).banner == ""  # the daily report has no register section
    _file_leak(world, plan)
    assert builders.final_report(plan).banner == "密 · 限閱"
    pdf = _pdf_text(_export(world, plan, "pdf"))
    assert "密 · 限閱" in pdf


def test_the_mornings_report_names_its_readers(world: Any, plan: Plan) -> None:
    daily.send_all()
    job = ExportJob.objects.get(kind="daily")
    with job.file.open("rb") as f:
        text = _pdf_text(f.read())
    readers = sorted((world.users["ethics"], world.users["head"]), key=lambda u: u.pk)
    assert "檢閱人：" + "、".join(u.display_name for u in readers) in text
