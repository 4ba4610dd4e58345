"""The superior's roll-up pages at phone width in zh-Hant: the admin of the superior agency sees a subordinate's
sitrep, its travel filing and results report on the board, links a new subordinate agency (the token shown once)
and revokes it; the subordinate's side shows the page that files the period's results report upward."""

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anwei.directory.models import Agency
from anwei.plans.models import Plan
from anwei.upward import rules, services
from anwei.upward.models import RollupResults, RollupSitrep, RollupTravel

from .browser import PHONE, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("ANWEI_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_rollup_pages_on_a_phone(browser_page: Any, live_server: Any, world: Any) -> None:
    sub = Agency.objects.create(code="township", name="某鄉公所", superior=world.agency)
    services.create_link(actor=None, agency_code=sub.code, name="某鄉公所政風室")
    now = timezone.now()
    RollupSitrep.objects.create(agency=sub, day=rules.sitrep_day(now), filed_at=now, zero_report=True)
    RollupTravel.objects.create(
        agency=sub,
        event="return",
        source_id=1,
        destination="mainland",
        category="junior",
        unit_name="民政課",
        starts_on=now.date() - timedelta(days=9),
        ends_on=now.date() - timedelta(days=4),
        probed=True,
    )
    RollupResults.objects.create(
        agency=sub,
        plan_ref=1,
        plan_title="春節安全維護計畫",
        period_start=now - timedelta(days=10),
        period_end=now - timedelta(days=1),
        figures={"incidents": {"cyber": {"new": 1, "open": 0, "closed": 1}}},
        document=b"%PDF-1.7",
        document_format="pdf",
    )
    world.agency.superior = Agency.objects.create(code="national", name="法務部廉政署")
    world.agency.save()
    plan = Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="鄉公所春安計畫",
        period_start=now - timedelta(days=10),
        period_end=now - timedelta(days=1),
    )

    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/upward/")
    expect(page.locator("h1")).to_have_text("彙整看板")
    expect(page.get_by_text("通報遭探詢或接觸")).to_be_visible()
    expect(page.get_by_role("link", name="PDF").first).to_be_visible()
    _shot(page, "board")
    assert_accessible(page)

    page.get_by_role("link", name="所屬機關連結").click()
    page.fill("#id_agency_code", "village")
    page.fill("#id_name", "某村辦公處")
    with page.expect_navigation():
        page.get_by_role("button", name="建立連結").click()
    expect(page.get_by_text("權杖僅顯示這一次")).to_be_visible()
    expect(page.locator("code.token")).to_contain_text("village.")
    _shot(page, "links")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="撤銷").first.click()
    expect(page.get_by_text("已撤銷").first).to_be_visible()

    page.goto(f"{live_server.url}/upward/results/file/{plan.pk}/")
    expect(page.locator("h1")).to_have_text("陳報執行成果報告")
    expect(page.get_by_role("button", name="陳報上級")).to_be_visible()
    _shot(page, "file_results")
    assert_accessible(page)
