"""The home page's to-do list at phone width in zh-Hant: the approver sees the request waiting for them (with the
count in the navigation and 我要通報 on screen), decides it from the link, and the list empties; the requester
then sees the take-out to bring back with its due time as an ROC date."""

from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from anwei.classified import custody, services
from anwei.classified.models import CustodyRequest
from anwei.classified.rules import Level

from .browser import PHONE, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DUE_BACK = datetime(2031, 3, 4, 9, 30, tzinfo=UTC)  # 120年3月4日 17:30 in Taipei, a Tuesday


def test_home_todo_list_on_a_phone(browser_page: Any, live_server: Any, world: Any) -> None:
    from datetime import date

    item = services.register_item(
        actor=world.users["staff_a"],
        unit=world.units["a"],
        title="港區部署計畫",
        level=Level.CONFIDENTIAL,
        classified_on=date(2026, 1, 5),
        protection_until=date(2030, 12, 31),
        classifying_authority="測試縣長",
        custodian=world.users["staff_a"],
        storage_location="建設處機密櫃 1",
    )
    req = custody.request(actor=world.users["staff_a"], item=item, kind="take_out", purpose="赴會", due_back=DUE_BACK)

    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "supervisor_a")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-TW"
    todo = page.locator("#todo")
    expect(todo.locator("h2")).to_contain_text("我的待辦事項")
    expect(todo.locator("ul.todo li")).to_have_count(1)
    entry = todo.locator("ul.todo li").first
    expect(entry).to_contain_text("待核決")
    expect(entry).to_contain_text(f"核決staff_a-person申請攜出：{item.reference_no}（機密）")
    expect(page.locator(".site-nav [data-todo-count]")).to_have_text("1")
    report = page.locator(".site-nav a.button", has_text="我要通報")
    expect(report).to_be_visible()
    assert report.bounding_box()["x"] + report.bounding_box()["width"] <= PHONE["width"]  # on screen, not scrolled
    expect(page.locator(".home-actions a.button", has_text="我要通報")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)

    with page.expect_navigation():
        entry.locator("a").click()
    assert page.url.endswith(f"/classified/queue/#request-{req.pk}")
    with page.expect_navigation():
        page.locator(f"#request-{req.pk} button[name=approve][value='1']").click()
    assert CustodyRequest.objects.get(pk=req.pk).status == CustodyRequest.Status.APPROVED

    page.goto(f"{live_server.url}/")
    expect(page.locator("#todo")).to_contain_text("目前沒有待辦事項")
    expect(page.locator(".site-nav [data-todo-count]")).to_have_text("0")

    page.context.clear_cookies()
    sign_in(page, live_server, "staff_a")
    entry = page.locator("#todo ul.todo li").first
    expect(entry).to_contain_text(f"歸還攜出之{item.reference_no}（機密）")
    expect(entry.locator(".due")).to_have_text("期限 120年3月4日（星期二）17時30分")
