"""At phone width: an administrator uploads the DGPA calendar file (Big5), sees the differences, and saves them;
the pages pass axe (WCAG 2.1 AA) and do not scroll sideways."""

from datetime import date
from typing import Any

import pytest
from tests.browser import PHONE, assert_accessible, sign_in

from anwei.officecalendar.models import CalendarImport, OfficeDay

from .test_import import FIRST_ISSUE, dgpa_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at phone width"


def test_an_administrator_uploads_the_calendar_on_a_phone(browser_page: Any, live_server: Any, world: Any) -> None:
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/awareness/calendar/?year=2028")
    page.click("text=匯入辦公日曆表")
    assert_accessible(page)
    _no_sideways_scroll(page)
    page.set_input_files(
        "#id_file", files=[{"name": "117.csv", "mimeType": "text/csv", "buffer": dgpa_csv(FIRST_ISSUE, "cp950")}]
    )
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector("#differences")
    assert "補行上班日" in page.inner_text("#differences")
    assert_accessible(page)
    _no_sideways_scroll(page)
    assert not OfficeDay.objects.filter(day__year=2028).exists()
    page.click("button[name=confirm]")
    page.wait_for_url("**/awareness/calendar/?year=2028")
    assert "補行上班日" in page.content()
    assert OfficeDay.objects.get(day=date(2028, 3, 4)).is_workday and CalendarImport.objects.count() == 1
