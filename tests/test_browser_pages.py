"""Every page of accounts and directory at phone width in a real browser: axe finds no WCAG 2.1 A/AA violation and
nothing scrolls sideways. Also the error pages (403, 404) and the API docs page."""

from typing import Any

import pytest

from anwei.directory.models import ExternalContact, Organisation

from .browser import PHONE, assert_accessible, sign_in
from .personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _visit(page: Any, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, f"{url}: {response and response.status}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{url} is {width}px wide at phone width"
    assert_accessible(page)


def test_accounts_and_directory_pages_at_phone_width(browser_page: Any, live_server: Any, world: World) -> None:
    org = Organisation.objects.create(agency=world.agency, name="花蓮縣警察局", kind=Organisation.Kind.POLICE)
    contact = ExternalContact.objects.create(organisation=org, name="林組長", phone="(03)8224023")
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "admin")
    person, unit = world.people["in_b"], world.units["b"]
    paths = [
        "/accounts/profile/",
        "/accounts/users/",
        f"/accounts/users/{world.users['staff_b'].pk}/",
        "/accounts/users/new/",
        "/accounts/security/",
        "/accounts/password/",
        "/directory/",
        f"/directory/?unit={unit.pk}",
        f"/directory/people/{person.pk}/",
        f"/directory/people/{person.pk}/edit/",
        "/directory/people/new/",
        "/directory/organisations/",
        "/directory/organisations/?q=林",
        f"/directory/organisations/{org.pk}/",
        f"/directory/organisations/{org.pk}/edit/",
        "/directory/organisations/new/",
        f"/directory/contacts/{contact.pk}/edit/",
        "/directory/units/",
        f"/directory/units/{unit.pk}/edit/",
        "/directory/units/new/",
    ]
    for path in paths:
        _visit(page, live_server.url + path)
    # a form shown again with its errors is accessible too
    page.goto(f"{live_server.url}/directory/units/new/")
    with page.expect_navigation():
        page.click("main form.stacked button[type=submit]")
    assert page.locator(".errorlist").count() >= 1
    assert_accessible(page)
    _visit(page, f"{live_server.url}/no-such-page/", status=404)


def test_refusal_page_and_api_docs(browser_page: Any, live_server: Any, world: World) -> None:
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "staff_a")
    _visit(page, f"{live_server.url}/api/v1/docs")  # the server-rendered docs (signed in), in the site's layout
    assert page.locator("html").get_attribute("lang") == "zh-Hant-TW"
    assert "PATCH /api/v1/directory/units/{unit_id}" in page.inner_text("main")
    _visit(page, f"{live_server.url}/accounts/users/", status=403)
    assert "您沒有執行此項作業的權限。" in page.inner_text("main")
    _visit(page, f"{live_server.url}/directory/units/", status=403)
