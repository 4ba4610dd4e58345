"""A real browser signs in and reads the home page in zh-Hant and English; axe finds no WCAG 2.1 AA violation."""

from typing import Any

import pytest

from .browser import PHONE, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_is_chinese_and_accessible(browser_page: Any, live_server: Any) -> None:
    browser_page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in browser_page.url
    assert browser_page.locator("html").get_attribute("lang") == "zh-Hant-TW"
    assert browser_page.inner_text("h1") == "登入安維系統"
    assert_accessible(browser_page)


def test_sign_in_home_in_both_languages(browser_page: Any, live_server: Any, world: Any) -> None:
    sign_in(browser_page, live_server, "supervisor_a")
    assert browser_page.url.rstrip("/") == live_server.url
    assert "supervisor_a-person" in browser_page.inner_text("header")
    assert "登出" in browser_page.inner_text("header")
    assert_accessible(browser_page)
    with browser_page.expect_navigation():
        browser_page.click("button[name=language][value=en]")
    assert browser_page.locator("html").get_attribute("lang") == "en"
    assert "Sign out" in browser_page.inner_text("header")
    assert browser_page.inner_text("h1") == "Welcome, supervisor_a-person"
    assert_accessible(browser_page)


def test_phone_width_has_no_horizontal_scroll(browser_page: Any, live_server: Any, world: Any) -> None:
    browser_page.set_viewport_size(PHONE)
    sign_in(browser_page, live_server, "ethics")
    for path in ("/", "/directory/", "/audit/"):
        browser_page.goto(live_server.url + path)
        width = browser_page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide at phone width"
        assert_accessible(browser_page)
