"""The import journey in a real browser at phone width: upload the seed, read the preview, save the draft."""

from typing import Any

import pytest
from tests.browser import PHONE, assert_accessible, sign_in

from anwei.plans.models import Plan

from .test_import_parser import SEED


@pytest.mark.browser
def test_import_the_seed_on_a_phone(browser_page: Any, live_server: Any, world: Any) -> None:
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "ethics")
    page.goto(f"{live_server.url}/plans/import/")
    assert_accessible(page)
    page.set_input_files("#id_document", str(SEED))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "狀況反映：" in page.inner_text("main")
    assert page.locator('a[href="tel:0982121209"]').count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    assert Plan.objects.count() == 0
    with page.expect_navigation():
        page.click("main form.toolbar button[type=submit]")
    plan = Plan.objects.get()
    assert plan.title.startswith("花蓮縣政府103年度春安")
    assert plan.tasks.count() == 28
