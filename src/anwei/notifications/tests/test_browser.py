"""The inbox at phone width: the unread badge, reading a notification and acknowledging it, with axe."""

from typing import Any

import pytest
from tests.browser import PHONE, assert_accessible, sign_in

from anwei.notifications import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inbox_on_a_phone(browser_page: Any, live_server: Any, world: Any) -> None:
    (notification,) = services.notify(
        people=[world.people["duty"]],
        subject="資安事件通報（第3級）",
        body="請立即確認收到。",
        require_ack=True,
        channels=["inapp"],
    )
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "duty")
    page.goto(f"{live_server.url}/notifications/")
    assert page.locator("#unread-count").is_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click("text=資安事件通報（第3級）")
    assert_accessible(page)
    page.evaluate("window.sameDocument = true")
    page.click("#ack button")
    page.wait_for_selector("#ack [role=status]")
    assert page.evaluate("window.sameDocument === true")  # swapped in by htmx, no reload
    assert page.locator("#unread-count").count() == 0  # opening it read it
    assert_accessible(page)
    notification.refresh_from_db()
    assert notification.acknowledged_by == world.users["duty"]
