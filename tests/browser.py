"""Browser-test helpers: Debian's Chromium driven by Playwright, and axe-core for WCAG 2.1 A/AA.

Use the `browser_page` fixture (a fresh page, phone- or desktop-sized) with pytest-django's `live_server`,
`sign_in(page, live_server, username)` and `assert_accessible(page)`."""

import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from .personas import PASSWORD, current_code

CHROMIUM = os.environ.get("ANWEI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def chromium(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """One browser for the session. Playwright's sync API leaves an event loop set on the main thread, after which
    Django hands out database connections per context: the connection in use from then on is a new object, and it
    is given the data serialized at set-up, which transactional tests are rolled back to."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with django_db_blocker.unblock():
        serialized = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with django_db_blocker.unblock():
            for alias, contents in serialized.items():
                if contents is not None:
                    connections[alias]._test_serialized_contents = contents
        _open["browser"] = browser
        yield browser
        _open.pop("browser", None)
        browser.close()


_open: dict[str, Any] = {}


@pytest.fixture(autouse=True)
def _browser_done_before_the_server_stops() -> Iterator[None]:
    """After each test, close the browser contexts it left open and wait until the live server has finished every
    request thread. A context left open keeps its HTTP connections alive; at the end of the session the live server
    stopped first (its in-memory SQLite connection no longer shared across threads), then closing the browser ended
    those connections and the server's request threads closed the shared connection from the wrong thread
    ("DatabaseWrapper objects created in a thread can only be used in that same thread"), an error in a thread that
    pytest reports as PytestUnhandledThreadExceptionWarning — an error under this project's pytest settings."""
    yield
    browser = _open.get("browser")
    if browser is None:
        return
    for context in browser.contexts:
        context.close()
    deadline = time.monotonic() + 30
    while any(t.name.endswith("(process_request_thread)") for t in threading.enumerate()):
        if time.monotonic() > deadline:
            raise AssertionError("the live server's request threads did not end after the browser closed")
        time.sleep(0.05)


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport=DESKTOP, locale="en-US")  # the office default wins over the browser
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def sign_in(page: Any, live_server: Any, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, and through the two-factor step with the persona's authenticator when the
    persona has one."""
    from anwei.accounts.models import User

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    if "/accounts/two-factor/" in page.url and "/setup/" not in page.url:
        page.fill("#id_token", current_code(User.objects.get(username=username)))
        with page.expect_navigation():
            page.click("main button[type=submit]")


def assert_accessible(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    )
    violations = results.response["violations"]
    details = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in violations]
    assert not violations, f"axe found {len(violations)} violation(s) on {page.url}:\n" + "\n".join(details)
