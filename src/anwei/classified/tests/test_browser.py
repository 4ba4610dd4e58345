"""At phone width in a real browser: a staff member asks for two photocopies, the supervisor approves them from
the queue, and the original lists copies 1 and 2. axe finds no WCAG 2.1 AA violation on the pages passed."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from tests.browser import PHONE, assert_accessible, sign_in

from anwei.classified import services

from .factories import SECRET_TITLE, item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_copy_request_and_approval_at_phone_width(chromium: Any, live_server: Any, world: Any) -> None:
    original = item(world)
    services.grant_need_to_know(actor=world.users["staff_a"], item=original, user=world.users["staff_b"], reason="會辦")

    staff = chromium.new_context(viewport=PHONE).new_page()
    staff.set_default_timeout(15000)
    sign_in(staff, live_server, "staff_b")
    staff.goto(f"{live_server.url}/classified/")
    assert SECRET_TITLE in staff.inner_text("main")
    assert staff.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(staff)
    staff.click(f"text={original.reference_no}")
    assert "機密" in staff.inner_text(".level-banner")
    assert_accessible(staff)
    staff.click("text=申請複製、傳真或攜出")
    staff.select_option("#id_kind", "photocopy")
    staff.fill("#id_purpose", "會辦財政處")
    staff.fill("#id_copies", "2")
    due = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    staff.fill("#id_due_back", due)
    assert_accessible(staff)
    with staff.expect_navigation():
        staff.click("main button[type=submit]")
    assert "申請已送核" in staff.inner_text("main")

    boss = chromium.new_context(viewport=PHONE).new_page()
    boss.set_default_timeout(15000)
    sign_in(boss, live_server, "supervisor_a")
    boss.goto(f"{live_server.url}/classified/queue/")
    queue = boss.inner_text("main")
    assert original.reference_no in queue and SECRET_TITLE not in queue
    assert_accessible(boss)
    with boss.expect_navigation():
        boss.click("main button[name=approve][value='1']")
    boss.goto(f"{live_server.url}/classified/items/{original.pk}/")
    copies = boss.inner_text("#copies-h + .table-wrap")
    assert "複製物 第1號" in copies and "複製物 第2號" in copies
    assert SECRET_TITLE not in boss.inner_text("body")
    assert boss.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(boss)
