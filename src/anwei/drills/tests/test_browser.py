"""The ethics officer, on a phone: makes an exercise with a typed-in script, starts it accelerated, watches the
injects become drill reports on the live page (the runner's task run here in-process), and finds the report
download links. Every page fits the phone's width and passes axe."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser import PHONE, assert_accessible, sign_in

from anwei.drills import services
from anwei.drills.models import Exercise
from anwei.plans.models import Plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = (
    "offset,category,level,unit,text,filer,details\n"
    "0,theft,,建設處,演練：公務機車失竊,,\n"
    "2,other,,財政處,演練：可疑人士,,\n"
)


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_an_exercise_on_a_phone(browser_page: Any, live_server: Any, world: Any) -> None:
    now = timezone.now()
    plan = Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="測試演練計畫",
        period_start=now - timedelta(days=5),
        period_end=now + timedelta(days=5),
        status=Plan.Status.ACTIVE,
    )
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "ethics")
    page.goto(f"{live_server.url}/drills/")
    _fits(page)
    assert_accessible(page)
    page.get_by_role("link", name="新增演練").click()
    _fits(page)
    assert_accessible(page)
    page.get_by_label("計畫").select_option(str(plan.pk))
    page.get_by_label("演練名稱").fill("竊盜通報演練")
    page.get_by_label("加速倍數").fill("60")
    page.get_by_label("腳本（CSV）").fill(SCRIPT)
    page.get_by_role("button", name="儲存演練").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("竊盜通報演練")
    _fits(page)
    assert_accessible(page)
    page.get_by_role("button", name="開始演練").click()
    exercise = Exercise.objects.get()
    assert exercise.status == "running"
    services.file_due(exercise.pk, now=timezone.now() + timedelta(minutes=1))  # the runner's task, in-process
    # the live part refreshes by itself while the exercise runs
    reference = exercise.injects.first().incident.reference  # type: ignore[union-attr]
    expect(page.locator("#drill-status")).to_contain_text(reference, timeout=10_000)
    _fits(page)
    assert_accessible(page)
    expect(page.get_by_role("link", name="演練報告（PDF）")).to_be_visible()
