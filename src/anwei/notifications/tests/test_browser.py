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


def test_delivery_status_and_addresses_for_an_ethics_officer(browser_page: Any, live_server: Any, world: Any) -> None:
    services.notify(people=[world.people["duty"]], subject="預警情資", channels=["inapp", "email"])
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "ethics")
    page.goto(f"{live_server.url}/notifications/deliveries/")
    assert page.locator("td", has_text="duty@test.example").count() == 1
    assert_accessible(page)
    page.goto(f"{live_server.url}/notifications/channels/")
    page.select_option("#id_person", str(world.people["duty"].pk))
    page.select_option("#id_channel", "webhook")
    page.fill("#id_address", "ftp://nope")
    with page.expect_navigation():
        page.click("main form.stacked button[type=submit]")
    assert page.locator(".errorlist").count() == 2  # the address and the missing secret, beside their fields
    assert_accessible(page)
