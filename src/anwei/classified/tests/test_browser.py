"""At phone width in a real browser: a staff member asks for two photocopies, the supervisor approves them from
the queue, and the original lists copies 1 and 2. axe finds no WCAG 2.1 AA violation on the pages passed."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from tests.browser import PHONE, assert_accessible, sign_in

from anwei.classified import grants
from anwei.classified.rules import Level

from .factories import SECRET_TITLE, item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_copy_request_and_approval_at_phone_width(chromium: Any, live_server: Any, world: Any) -> None:
    original = item(world)
    grants.grant_need_to_know(actor=world.users["staff_a"], item=original, user=world.users["staff_b"], reason="會辦")

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


def test_printed_item_repeats_the_level_banner_on_every_page(chromium: Any, live_server: Any, world: Any) -> None:
    """Chromium prints the browser's printable view: the level banner at the top and the bottom of every page
    (not only of the document), and the viewer's watermark; the page passes axe."""
    import pypdfium2 as pdfium

    long = "\n".join(f"第{n}段：工程進度與部署說明，內容依序記載。" for n in range(1, 160))
    it = item(world, level=Level.SECRET, protection_until=date(2040, 1, 1), content=long)
    page = chromium.new_context(viewport=PHONE).new_page()
    page.set_default_timeout(15000)
    sign_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/classified/items/{it.pk}/print/")
    assert SECRET_TITLE in page.inner_text("main")
    assert_accessible(page)
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('.print-frame thead')).display") == (
        "table-header-group"
    )
    pdf = pdfium.PdfDocument(page.pdf(format="A4", print_background=True))
    assert len(pdf) >= 3
    for number, sheet in enumerate(pdf, start=1):
        text = "".join(sheet.get_textpage().get_text_range().split())
        assert text.count("極機密") >= 2, f"page {number}: {text[:80]}"  # top banner and bottom banner
        assert f"極機密·{it.reference_no}" in text, f"page {number} lacks the bottom banner"
        assert "staff_a-person" in text, f"page {number} lacks the watermark"
