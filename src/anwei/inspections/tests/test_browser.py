"""An inspector fills one school's inspection on a phone: answers saved as a draft on change, a photo, a failed
item, submitted; the round shows 1 of N; axe finds no WCAG 2.1 AA violation on the form or the round."""

from typing import Any

import pytest
from tests.browser import PHONE, assert_accessible, sign_in

from anwei.inspections.models import CorrectiveAction, Inspection

from .conftest import make_inspector, make_plan
from .test_flow import school_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64


def test_inspector_fills_a_school_at_phone_width(
    browser_page: Any, live_server: Any, world: Any, tmp_path: Any, settings: Any
) -> None:
    from anwei.inspections import services

    settings.MEDIA_ROOT = tmp_path
    services.install_standard_templates(actor=None)
    setup = {"plan": make_plan(world), "inspector": make_inspector(world)}
    round_ = school_round(world, setup)
    services.add_targets(actor=world.users["ethics"], round_=round_, units=[world.units["a1"], world.units["b"]])
    inspection = round_.inspections.get(target=world.units["a1"])
    items = list(round_.version.items.order_by("order"))

    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "inspector")
    page.goto(f"{live_server.url}/inspections/inspections/{inspection.pk}/")
    assert page.locator("h1").inner_text() == world.units["a1"].name
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    first = items[0]
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.check(f"input[name=item-{first.pk}-choice][value=no]")
    page.wait_for_selector("#save-status:has-text('草稿已儲存')")
    assert Inspection.objects.get(pk=inspection.pk).answers.get(item=first).choice == "no"
    page.fill(f"#item-{first.pk}-note", "教師共用帳號")
    for item in items[1:]:
        if item.answer_type == "yes_no":
            page.check(f"input[name=item-{item.pk}-choice][value=yes]")
        elif item.answer_type == "number":
            page.fill(f"#item-{item.pk}-number", "12")
    page.click("button[name=save]")
    page.wait_for_load_state()

    photo = tmp_path / "room.jpg"
    photo.write_bytes(JPEG)
    page.set_input_files("#id_photo", str(photo))
    with page.expect_navigation():
        page.click("button[name=upload]")
    assert page.locator("img.thumb").count() == 1
    with page.expect_navigation():
        page.click("button[name=submit]")
    assert f"/inspections/rounds/{round_.pk}/" in page.url
    assert "檢查結果已送出" in page.inner_text(".messages")
    page.reload()  # the flash message list in base.html is checked by the site's own tests
    assert "已完成 1／2 個受檢對象" in page.inner_text(".progress-line")
    assert page.locator("progress").get_attribute("value") == "1"
    assert_accessible(page)
    action = CorrectiveAction.objects.get()
    assert action.unit == world.units["a1"] and "教師共用帳號" in action.finding.description
