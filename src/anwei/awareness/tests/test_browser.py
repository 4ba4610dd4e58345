"""At phone width: a member of staff signs in to a briefing (htmx) and declares a trip that is flagged late; the
pages pass axe (WCAG 2.1 AA) and do not scroll sideways."""

from datetime import date, timedelta
from typing import Any

import pytest
from tests.browser import PHONE, assert_accessible, sign_in

from anwei.awareness import services
from anwei.awareness.models import Attendance, TravelDeclaration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at phone width"


def test_sign_in_on_a_phone_and_declare_a_late_trip(browser_page: Any, live_server: Any, world: Any) -> None:
    page = browser_page
    page.set_viewport_size(PHONE)
    briefing = services.create_activity(
        actor=world.users["ethics"],
        unit_id=world.units["ethics"].pk,
        topic="mainland",
        title="赴陸風險宣導",
        held_on=date.today(),
        form="meeting",
    )
    sign_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/awareness/activities/{briefing.pk}/")
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#sign-in .badge.ok")
    assert "您已完成簽到" in page.inner_text("#sign-in")
    assert Attendance.objects.filter(activity=briefing, person=world.people["staff_a"]).exists()
    assert_accessible(page)
    _no_sideways_scroll(page)

    page.goto(f"{live_server.url}/awareness/travel/new/")
    page.select_option("#id_destination", "mainland")
    page.fill("#id_places", "上海")
    departs = date.today() + timedelta(days=3)
    page.fill("#id_departs_on", departs.isoformat())
    page.fill("#id_returns_on", (departs + timedelta(days=2)).isoformat())
    assert_accessible(page)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    declaration = TravelDeclaration.objects.get(traveller=world.people["staff_a"])
    assert declaration.late
    text = page.inner_text("main")
    assert "逾期申請" in text and f"{departs.year - 1911}年{departs.month}月{departs.day}日" in text
    assert_accessible(page)
    _no_sideways_scroll(page)
    with page.expect_navigation():
        page.click("text=我已閱讀行前提醒")
    declaration.refresh_from_db()
    assert declaration.briefing_acknowledged_at is not None
