"""A real browser at phone width: the two-factor step and enrolment with the QR code, both accessible."""

from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.browser import PHONE, assert_accessible, sign_in
from tests.personas import PASSWORD, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ethics_officer_passes_two_factor_at_phone_width(browser_page: Any, live_server: Any, world: Any) -> None:
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "ethics")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/accounts/two-factor/" in page.url
    assert page.inner_text("h1") == "雙因素登入"
    assert_accessible(page)
    page.goto(f"{live_server.url}/directory/")
    assert "/accounts/two-factor/" in page.url  # nothing else before the code
    page.fill("#id_token", "000000")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "驗證碼不正確" in page.inner_text("main")
    page.fill("#id_token", current_code(world.users["ethics"]))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.url.rstrip("/").endswith("/directory")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_auditor_enrols_with_the_qr_code(browser_page: Any, live_server: Any, world: Any) -> None:
    TOTPDevice.objects.filter(user=world.users["auditor"]).delete()
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "auditor")
    assert "/accounts/two-factor/setup/" in page.url
    assert page.locator("figure.qr svg").count() == 1
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    device = TOTPDevice.objects.get(user=world.users["auditor"], confirmed=False)
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    with page.expect_navigation():
        page.click("main form.stacked button[type=submit]")
    assert "/accounts/two-factor/codes/" in page.url
    assert page.locator("ul.codes li").count() == 10
    assert_accessible(page)
