"""Every word on screen is the user's: every persona signs in once, at phone width in zh-Hant, and visits every page
its menu reaches and the pages one link further within the same menu area. No page may show a developer's word (a
rule code, a channel code, Django's English empty choice, a Python dict, a Western ISO date in prose), and every
menu item must be on screen at phone width (not hidden off to the side of a scrolling bar).

One browser, one world (the permission matrix's: every app's records) built once for all personas, one sign-in per
persona."""

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from .browser import PHONE, sign_in
from .matrix import setup_world
from .personas import PERSONAS, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What a user must never read: the words of the code and of DOMAIN.md, not of the office.
CODE_WORDS = [
    (re.compile(r"\b(?:role|duty|org):[a-z_]"), "a recipient code"),
    (re.compile(r"DOMAIN §"), "a DOMAIN.md reference"),
    (re.compile(r"\binapp\b"), "the in-app channel code"),
    (re.compile(r"Select an option"), "Django's English empty choice"),
    (re.compile(r"\{'"), "a Python dict"),
    (re.compile(r"\[(?:practice|law|assumed)[^\]]*\]"), "a DOMAIN.md source tag"),
    (re.compile(r"(?<![\w/-])20\d\d-[01]\d-[0-3]\d(?![\w/-])"), "a Western ISO date"),
]
# Links that download a file or change state on GET are not pages to read.
NOT_A_PAGE = re.compile(r"\.(?:csv|pdf|odt|ods|ics|vcf|jpg|png|json)\b|/export|/download|/ical|format=|/photo|/file")


def code_words(text: str) -> list[str]:
    found = []
    for pattern, what in CODE_WORDS:
        for match in pattern.finditer(text):
            start = max(0, match.start() - 40)
            found.append(f"{what}: …{text[start : match.end() + 40]!r}…")
    return found


def test_the_code_words_are_found() -> None:
    """The checker has teeth: each kind of developer word is caught, the user's own words are not."""
    assert code_words("收件人：role:ethics_officer")
    assert code_words("依據 DOMAIN §5 [practice]")
    assert code_words("管道 inapp")
    assert code_words("- Select an option -")
    assert code_words("{'status': 'open'}")
    assert code_words("知悉時間 2026-12-06 10:00")
    assert not code_words("115年12月6日 10:00 政風人員 通報 /incidents/2026-12-06/ 案號 ANW-2026-0001")


def _menu(page: Any) -> list[tuple[str, str]]:
    return page.eval_on_selector_all(
        "nav.site-nav a", "els => els.map(a => [a.textContent.trim(), a.getAttribute('href')])"
    )


def _off_screen_menu_items(page: Any) -> list[str]:
    """Menu items a phone user cannot see without knowing to scroll the bar sideways (after opening the menu
    when there is a menu button)."""
    toggle = page.locator("nav.site-nav summary")
    if toggle.count() and toggle.first.is_visible():
        toggle.first.click()
    off = []
    for link in page.locator("nav.site-nav a").all():
        box = link.bounding_box()
        if not link.is_visible() or box is None or box["x"] < 0 or box["x"] + box["width"] > PHONE["width"]:
            off.append(link.inner_text().strip())
    return off


def _links_within(page: Any, prefix: str) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(a => a.getAttribute('href'))")
    out = []
    for href in hrefs:
        path = urlsplit(href).path if href else ""
        if href and href.startswith("/") and path.startswith(prefix) and not NOT_A_PAGE.search(href):
            out.append(href.split("#", 1)[0])
    return out


def test_every_persona_reads_only_the_users_words_at_phone_width(chromium: Any, live_server: Any, world: World) -> None:
    setup_world(world)  # built once: this one test walks every persona through it
    problems: list[str] = []
    for persona in PERSONAS:
        context = chromium.new_context(viewport=PHONE, locale="zh-TW")
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            sign_in(page, live_server, persona)
            page.goto(f"{live_server.url}/")
            menu = _menu(page)
            assert persona == "outsider" or menu, f"{persona} has no menu"
            problems += [f"{persona}: menu item {name} is off screen" for name in _off_screen_menu_items(page)]
            seen: set[str] = set()
            for _name, href in menu:
                for url in [href, *_follow(page, live_server, href, seen, problems, persona)]:
                    _read(page, live_server, url, seen, problems, persona)
        finally:
            context.close()
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:80])


def _follow(page: Any, live_server: Any, href: str, seen: set[str], problems: list[str], persona: str) -> list[str]:
    """Read a menu page, and return the links on it within the same area."""
    if not _read(page, live_server, href, seen, problems, persona):
        return []
    prefix = "/" + urlsplit(href).path.strip("/").split("/")[0] + "/" if href != "/" else "/"
    if prefix == "/":
        return []
    return [link for link in dict.fromkeys(_links_within(page, prefix)) if link not in seen]


def _read(page: Any, live_server: Any, href: str, seen: set[str], problems: list[str], persona: str) -> bool:
    if href in seen:
        return False
    seen.add(href)
    try:
        response = page.goto(live_server.url + href)
    except Exception as exc:  # a download or an aborted navigation is not a page to read
        if "Download" in str(exc):
            return False
        raise
    if response is None or "text/html" not in (response.headers.get("content-type") or ""):
        return False
    text = page.inner_text("body")
    for select in page.locator("main select").all():  # the options of every choice list count as words too
        text += "\n" + select.inner_text()
    problems += [f"{persona} {href}: {problem}" for problem in code_words(text)]
    return True


def test_a_form_with_errors_shows_a_summary_at_the_top_on_a_phone(
    browser_page: Any, live_server: Any, world: World
) -> None:
    """Errors below the fold: a summary at the top of the form names each error, links to its field, and has the
    focus, on screen."""
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/directory/people/new/")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    summary = page.locator("main .error-summary")
    summary.wait_for()
    assert summary.is_visible() and summary.evaluate("el => el === document.activeElement")
    box = summary.bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"]
    assert "請修正下列錯誤" in summary.inner_text()
    link = summary.locator("a").first
    target = link.get_attribute("href")
    assert target and target.startswith("#id_")
    link.click()
    assert page.evaluate("document.activeElement.id") == target[1:]


def test_the_roster_marks_the_shift_on_duty_now(client: Any, world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from anwei.directory.models import DutyKind, DutyShift
    from anwei.plans.models import Plan

    now = timezone.now()
    plan = Plan.objects.create(
        agency=world.agency,
        owning_unit=world.units["ethics"],
        title="值勤表測試計畫",
        period_start=now - timedelta(days=1),
        period_end=now + timedelta(days=1),
        status=Plan.Status.ACTIVE,
    )
    kind = DutyKind.objects.create(agency=world.agency, code="ethics", name="政風值勤")
    DutyShift.objects.create(kind=kind, starts_at=now - timedelta(days=1), ends_at=now - timedelta(hours=2))
    current = DutyShift.objects.create(
        kind=kind, starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=6), person=world.people["duty"]
    )
    client.force_login(world.users["ethics"])
    html = client.get(f"/plans/{plan.pk}/roster/").content.decode()
    rows = [row for row in html.split("<tr") if "現正值勤" in row]
    assert len(rows) == 1 and f"/plans/shifts/{current.pk}/" in rows[0] and 'aria-current="time"' in rows[0]
