"""Uploading a photo keeps the answers typed so far, even when the draft saves on change have not gone through (a
phone on a poor connection): the answers travel with the photo."""

from typing import Any

import pytest
from tests.browser import PHONE, sign_in

from anwei.inspections.models import Inspection

from .conftest import make_inspector, make_plan
from .test_flow import school_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64


def test_photo_upload_keeps_the_answers_typed(
    browser_page: Any, live_server: Any, world: Any, tmp_path: Any, settings: Any
) -> None:
    from anwei.inspections import services

    settings.MEDIA_ROOT = tmp_path
    services.install_standard_templates(actor=None)
    setup = {"plan": make_plan(world), "inspector": make_inspector(world)}
    round_ = school_round(world, setup)
    services.add_targets(actor=world.users["ethics"], round_=round_, units=[world.units["a1"]])
    inspection = round_.inspections.get()
    items = list(round_.version.items.order_by("order"))
    answerable = [i for i in items if i.answer_type in ("yes_no", "number")]
    photo_item = next(i for i in items if i.answer_type == "photo")

    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "inspector")
    url = f"{live_server.url}/inspections/inspections/{inspection.pk}/"
    # the draft saves (htmx, on change) never get through: only what the upload itself sends can keep the answers
    page.route(url, lambda route: route.abort() if route.request.headers.get("hx-request") else route.continue_())
    page.goto(url)
    assert page.locator("label[for=answered]").inner_text() == f"已回答 0／{len(items)} 項"

    first = answerable[0]
    page.check(f"input[name=item-{first.pk}-choice][value=no]")
    page.fill(f"#item-{first.pk}-note", "教師共用帳號")
    for item in answerable[1:]:
        if item.answer_type == "yes_no":
            page.check(f"input[name=item-{item.pk}-choice][value=yes]")
        else:
            page.fill(f"#item-{item.pk}-number", "12")
    photo = tmp_path / "room.jpg"
    photo.write_bytes(JPEG)
    page.set_input_files("#id_photo", str(photo))
    page.select_option("#id_item", str(photo_item.pk))
    with page.expect_navigation():
        page.click("button[name=upload]")

    assert page.locator("img.thumb").count() == 1
    assert page.is_checked(f"input[name=item-{first.pk}-choice][value=no]")
    assert page.input_value(f"#item-{first.pk}-note") == "教師共用帳號"
    for item in answerable[1:]:
        if item.answer_type == "yes_no":
            assert page.is_checked(f"input[name=item-{item.pk}-choice][value=yes]")
        else:
            assert float(page.input_value(f"#item-{item.pk}-number")) == 12
    answered = len(answerable)
    assert page.locator("label[for=answered]").inner_text() == f"已回答 {answered}／{len(items)} 項"
    saved = Inspection.objects.get(pk=inspection.pk).answers
    assert saved.get(item=first).choice == "no" and saved.get(item=first).note == "教師共用帳號"
