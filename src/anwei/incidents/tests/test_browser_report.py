"""At phone width: the ethics officer writes a cyber incident's investigation report on its guided form and copies
the national platform's text with the copy button; the page passes axe (WCAG 2.1 AA) and does not scroll sideways."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from tests.browser import PHONE, assert_accessible, sign_in

from anwei.incidents import services
from anwei.incidents.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at phone width"


def test_the_investigation_report_form_on_a_phone(browser_page: Any, live_server: Any, world: Any) -> None:
    incident = services.file_report(
        actor=world.users["staff_a"],
        agency=world.agency,
        category="cyber",
        title="公文系統遭入侵",
        cyber_level=3,
        aware_at=timezone.now() - timedelta(hours=2),
    )
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "ethics")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/investigation-report/")
    assert "五、事件根因分析" in page.content()
    assert_accessible(page)
    _no_sideways_scroll(page)
    page.click("button[data-copy=platform-text]")
    page.wait_for_function("document.querySelector('button[data-copy]').textContent.trim() === '已複製。'")
    page.fill("#id_root_cause", "管理帳號使用弱密碼")
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector("text=已儲存")
    assert Incident.objects.get(pk=incident.pk).root_cause == "管理帳號使用弱密碼"
