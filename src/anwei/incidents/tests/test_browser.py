"""The "done when" journey in a real browser at phone width: a staff member files a level-3 cyber report; the
ethics duty officer and the 調查處站 contact are notified (e-mail through the outbox); the clocks run 1 h and 36 h
from aware_at; the duty officer acknowledges on the report page."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser import PHONE, assert_accessible, sign_in

from anwei.incidents.models import Incident
from anwei.notifications.models import Delivery, Notification
from anwei.notifications.tasks import deliver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_files_level3_cyber_report_on_a_phone(browser_page: Any, live_server: Any, roster: Any) -> None:
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/incidents/new/")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    aware = timezone.localtime(timezone.now() - timedelta(minutes=10)).replace(second=0, microsecond=0)
    page.select_option("#id_category", "cyber")
    page.fill("#id_title", "公文系統遭勒索軟體加密")
    page.fill("#id_description", "上午發現公文系統檔案遭加密")
    page.check("input[name=cyber_level][value='3']")
    page.fill("#id_aware_at", aware.strftime("%Y-%m-%dT%H:%M"))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert re.search(r"/incidents/\d+/$", page.url), page.content()[:2000]
    incident = Incident.objects.get()
    assert incident.cyber_level == 3 and incident.aware_at == aware
    # report to the ethics office, notify 調查處站 and the national process (1 h each), recovery 36 h
    expect(page.locator(".clock.running")).to_have_count(4)
    assert_accessible(page)
    clocks = {(d.code, d.body): d.due_at for d in incident.deadlines.all()}
    assert clocks[("notify", "org:investigation")] == aware + timedelta(hours=1)
    assert clocks[("recovery", "")] == aware + timedelta(hours=36)
    # the worker delivers the outbox: the duty officer and the 調查處站 contact get e-mail
    for pk in Delivery.objects.values_list("pk", flat=True):
        deliver.call(pk)
    mailed = {to for m in mail.outbox for to in m.to}
    assert {"duty@test.example", "mjib@outside.example"} <= mailed
    # the duty officer acknowledges on the report page; the timeline shows it
    page.context.clear_cookies()
    sign_in(page, live_server, "duty")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    with page.expect_navigation():
        page.click("form[action*='/acknowledge/'] button")
    assert Notification.objects.get(person=roster.people["duty"], key__endswith=":filed").acknowledged_at
    expect(page.locator(".event.acknowledged")).to_have_count(1)
    page.goto(f"{live_server.url}/incidents/")  # the board, at phone width
    expect(page.locator(".report")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)


def test_the_board_keeps_its_filters_when_it_refreshes(
    browser_page: Any, live_server: Any, roster: Any, settings: Any
) -> None:
    """Filter the board, let it refresh by itself (every second here, 30 s by default) and it still shows only
    what the filter says: a report of another category filed meanwhile stays off it."""
    from anwei.incidents.services import file_report

    settings.ANWEI_BOARD_REFRESH_SECONDS = 1
    staff = roster.users["staff_a"]
    file_report(actor=staff, agency=roster.agency, category="theft", title="機車失竊-一", unit=roster.units["a"])
    file_report(actor=staff, agency=roster.agency, category="arson", title="倉庫縱火-一", unit=roster.units["a"])
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "ethics")
    page.goto(f"{live_server.url}/incidents/")
    expect(page.locator(".report")).to_have_count(2)
    page.select_option("#id_category", "theft")  # htmx swaps the list in place
    expect(page.locator(".report")).to_have_count(1)
    expect(page.locator(".report")).to_contain_text("機車失竊-一")
    # filed while the page is open: only a refresh can bring them; the theft must come, the arson must not
    file_report(actor=staff, agency=roster.agency, category="theft", title="機車失竊-二", unit=roster.units["a"])
    file_report(actor=staff, agency=roster.agency, category="arson", title="倉庫縱火-二", unit=roster.units["a"])
    with page.expect_request(lambda r: "/incidents/" in r.url and "category=theft" in r.url, timeout=10000):
        pass  # the refresh asks with the filter's current value
    expect(page.locator(".report")).to_have_count(2, timeout=10000)
    assert "縱火" not in page.locator("#board").inner_text()
    # two more refreshes swapped in (htmx's afterSwap on the board: the page has re-rendered), then nothing else
    page.evaluate(
        "() => { let swaps = 0; document.addEventListener('htmx:afterSwap', e => {"
        " if (e.detail.target.id === 'board' && ++swaps === 2) e.detail.target.dataset.refreshedTwice = 'yes'; }); }"
    )
    expect(page.locator("#board")).to_have_attribute("data-refreshed-twice", "yes", timeout=15000)
    expect(page.locator(".report")).to_have_count(2)
    assert "縱火" not in page.locator("#board").inner_text()
    csv_link = page.locator("#board a[download]").get_attribute("href") or ""
    assert "category=theft" in csv_link  # the CSV download follows the filter too
    assert_accessible(page)


def test_the_duty_officer_calls_the_police_and_records_it_on_a_phone(
    browser_page: Any, live_server: Any, roster: Any
) -> None:
    """The police have a phone number only: the report page shows a must-call with a click-to-call link; the duty
    officer records the call on his phone and the police clock shows how and by whom it was met."""
    from anwei.directory.models import ExternalContact
    from anwei.incidents.models import Deadline
    from anwei.incidents.services import file_report

    ExternalContact.objects.filter(email="police@outside.example").update(email="", phone="(03)822-4021")
    incident = file_report(
        actor=roster.users["staff_a"],
        agency=roster.agency,
        category="theft",
        title="公務車失竊",
        unit=roster.units["a"],
    )
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "duty")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    expect(page.locator(".must-call a[href='tel:038224021']")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    police = Deadline.objects.get(incident=incident, code="notify", body="org:police")
    assert page.input_value("#id_target") == f"clock:{police.pk}"  # the body to call is chosen already
    page.check("input[name=channel][value='phone']")
    page.fill("#id_person_reached", "值勤員警林警員")
    page.fill("#id_reference", "A-17")
    with page.expect_navigation():
        page.click("#contact-form button[type=submit]")
    police.refresh_from_db()
    assert police.met_how == "phone" and police.met_by == "值勤員警林警員"
    expect(page.locator(".must-call")).to_have_count(0)
    met = page.locator(".clock.met", has_text="值勤員警林警員")
    expect(met).to_have_count(1)
    expect(page.locator(".contacts li")).to_contain_text("A-17")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
