"""The amend form on a phone shows the 執行重點 tree — each task after its parent, indented, labelled with its parent's
number — and an amendment that changes one task records exactly that task (the multi-line 協調配合 that the browser
posts back with CRLF line endings is not a change)."""

from typing import Any

import pytest
from tests.browser import PHONE, assert_accessible, sign_in

from anwei.plans import services, versions
from anwei.plans.models import PlanVersion

from .factories import make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COORDINATION = "一、各單位應密切聯繫。\n二、遇有狀況立即通報政風處。"


def test_amend_form_shows_the_tree_and_records_only_what_changed(
    browser_page: Any, live_server: Any, world: Any
) -> None:
    plan = make_plan(world, coordination=COORDINATION, purpose="確保春節期間機關安全。\n維護公務機密。")
    group_1 = world.records["task_a"].parent
    group_2 = services.add_task(actor=None, plan=plan, number="（2）", text="加強安全維護：")
    second_1 = services.add_task(actor=None, plan=plan, parent=group_2, number="1、", text="加強門禁管制。")
    plan = services.approve_plan(actor=world.users["head"], plan=plan)
    a, b, ethics_task = world.records["task_a"], world.records["task_b"], world.records["task_ethics"]

    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "ethics")
    page.goto(f"{live_server.url}/plans/{plan.pk}/amend/")
    fields = page.locator(".amend-tree textarea")
    assert [fields.nth(i).get_attribute("name") for i in range(fields.count())] == [
        f"task_{t.pk}" for t in (group_1, a, b, ethics_task, group_2, second_1)
    ]
    assert page.inner_text(f"label[for=id_task_{second_1.pk}]").strip() == "（2） › 1、："
    assert page.inner_text(f"label[for=id_task_{a.pk}]").strip() == "（1） › 1、："
    assert "（2） 加強安全維護：" in page.inner_text(f"#task_{second_1.pk}-under")
    parent_box = page.locator(f"#id_task_{group_2.pk}").bounding_box()
    child_box = page.locator(f"#id_task_{second_1.pk}").bounding_box()
    assert parent_box is not None and child_box is not None and child_box["x"] > parent_box["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)

    page.fill("#id_reason", "門禁管制改由警衛室辦理")
    page.fill(f"#id_task_{second_1.pk}", "加強門禁管制，由警衛室登記訪客。")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert f"/plans/{plan.pk}/versions/" in page.url

    old, new = PlanVersion.objects.filter(plan=plan).order_by("number")
    assert new.number == 2
    assert versions.changes(old.content, new.content) == ["1、"]
    changed = [row.key for row in versions.compare(old.content, new.content) if row.changed]
    assert changed == [f"task-{second_1.pk}"]
    plan.refresh_from_db()
    assert plan.coordination == COORDINATION
