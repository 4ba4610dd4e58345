"""Phone-first without a network (issue 18), in a real browser at phone width with `context.set_offline`: a report
(with a photo), an inspection and a corrective-action answer are filled and submitted offline, wait as 待送出 (still
there after the page is closed and opened again), are sent once when the network is back with their reference,
and a replay of the same submission (the same Idempotency-Key and body) creates nothing new. A report of a
restricted category waits in the page's memory only. Signing out removes the drafts, the queue and the caches."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anwei.incidents.models import Attachment, Incident

from .browser import PHONE, assert_accessible, sign_in
from .personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHOTO = (Path(__file__).parents[1] / "src/anwei/static/anwei/icon-192.png").read_bytes()  # a real PNG

QUEUE = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("anwei-offline");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const d = open.result;
    if (!d.objectStoreNames.contains("queue")) { d.close(); resolve(null); return; }
    const request = d.transaction("queue").objectStore("queue").getAll();
    request.onsuccess = () => { d.close(); resolve(request.result); };
  };
})"""

DRAFTS = """() => new Promise((resolve) => {
  const open = indexedDB.open("anwei-offline");
  open.onsuccess = () => {
    const request = open.result.transaction("drafts").objectStore("drafts").getAll();
    request.onsuccess = () => { open.result.close(); resolve(request.result); };
  };
})"""

KEEP_COPY = """() => new Promise((resolve) => {
  const open = indexedDB.open("anwei-offline");
  open.onsuccess = () => {
    const request = open.result.transaction("queue").objectStore("queue").getAll();
    request.onsuccess = () => { window.firstSubmission = request.result[0]; open.result.close(); resolve(true); };
  };
})"""

REPLAY = """async () => {
  const item = window.firstSubmission;
  const data = new FormData();
  item.entries.forEach(([name, value]) => {
    if (name === "csrfmiddlewaretoken") return;
    if (value instanceof Blob) data.append(name, value, value.name || ""); else data.append(name, value);
  });
  const response = await fetch(item.action, {method: "POST", body: data, redirect: "manual",
    headers: {"Idempotency-Key": item.key, "X-CSRFToken": document.body.dataset.csrf}});
  return {status: response.status, replayed: response.headers.get("Idempotent-Replayed"), body: await response.json()};
}"""

STORED = """async () => {
  const names = await caches.keys();
  const pages = [];
  for (const name of names) for (const request of await (await caches.open(name)).keys()) {
    if (!new URL(request.url).pathname.startsWith("/static/")) pages.push(request.url);  // the shell may come back
  }
  const dbs = (await indexedDB.databases()).map((d) => d.name);
  return {caches: names, pages: pages, dbs: dbs};
}"""


def _until(page: Any, script: str, expected: Any) -> None:
    """Wait until the script's (awaited) value is the expected one (drafts are saved a moment after typing)."""
    for _ in range(50):
        if page.evaluate(script) == expected:
            return
        page.wait_for_timeout(100)
    assert page.evaluate(script) == expected


def _controlled(page: Any, url: str) -> None:
    """Open the page, wait for the service worker, and open it again through it (so that it is kept)."""
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def _filled_offline_and_reopened(page: Any, url: str, fill: Callable[[Any], None], submit: str) -> Any:
    """Fill the form at url without a network and submit it: it waits as 待送出, still after the page is closed and
    opened again (offline: from the service worker). Returns the page opened again, the submission copied aside."""
    context = page.context
    _controlled(page, url)
    context.set_offline(True)
    fill(page)
    page.click(submit)
    expect(page.locator("#offline-queue .offline-item [data-state]")).to_have_text("待送出")
    expect(page.locator("[data-offline-badge]")).to_have_text("1 筆待送出")
    page.close()
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(url)
    expect(page.locator("#offline-queue .offline-item [data-state]")).to_have_text("待送出")
    page.evaluate(KEEP_COPY)
    return page


def _back_online(page: Any) -> Any:
    page.context.set_offline(False)
    page.click("[data-offline-send]")
    item = page.locator("#offline-queue .offline-item")
    expect(item.locator("[data-state]")).to_have_text("已送出")
    expect(page.locator("[data-offline-badge]")).to_be_hidden()
    return item


def test_a_report_filed_offline_is_sent_once_with_its_photo(browser_page: Any, live_server: Any, world: Any) -> None:
    page = browser_page
    context = page.context
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "staff_a")
    new = f"{live_server.url}/incidents/new/"
    _controlled(page, new)
    assert_accessible(page)

    context.set_offline(True)
    aware = timezone.localtime().replace(second=0, microsecond=0)
    page.select_option("#id_category", "theft")
    page.fill("#id_title", "颱風夜倉庫機車失竊")
    page.fill("#id_description", "值班時發現倉庫門鎖遭破壞")
    page.fill("#id_aware_at", aware.strftime("%Y-%m-%dT%H:%M"))
    page.set_input_files("#id_attachments", files=[{"name": "door.png", "mimeType": "image/png", "buffer": PHOTO}])
    page.click("main form[data-offline] button[type=submit]")
    item = page.locator("#offline-queue .offline-item")
    expect(item).to_have_count(1)
    expect(item.locator("[data-state]")).to_have_text("待送出")
    expect(page.locator("[data-offline-badge]")).to_have_text("1 筆待送出")
    expect(page.locator(".offline-note")).to_contain_text("網路恢復後")
    assert_accessible(page)
    assert not Incident.objects.exists()

    page.close()  # closed and opened again, still without a network: the page comes from the service worker
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(new)
    item = page.locator("#offline-queue .offline-item")
    expect(item.locator("[data-state]")).to_have_text("待送出")
    expect(page.locator("[data-offline-badge]")).to_have_text("1 筆待送出")
    page.evaluate(KEEP_COPY)
    assert not Incident.objects.exists()

    context.set_offline(False)
    page.click("[data-offline-send]")  # the "online" event sends it too; pressing 重新送出 must not send it twice
    expect(item.locator("[data-state]")).to_have_text("已送出")
    incident = Incident.objects.get()
    assert incident.title == "颱風夜倉庫機車失竊" and incident.category == "theft"
    expect(item).to_contain_text(incident.reference)
    expect(page.locator("[data-offline-badge]")).to_be_hidden()
    attachment = Attachment.objects.get(incident=incident)
    assert attachment.file.read() == PHOTO

    answer = page.evaluate(REPLAY)  # the very same submission once more: nothing new
    assert answer["status"] == 200 and answer["replayed"] == "true"
    assert answer["body"]["reference"] == incident.reference
    assert Incident.objects.count() == 1 and Attachment.objects.count() == 1
    page.reload()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # signing out removes what this browser kept for the person
    stored = page.evaluate(STORED)
    assert "anwei-offline" in stored["dbs"] and any(p.endswith("/incidents/new/") for p in stored["pages"])
    with page.expect_navigation():
        page.click("form[data-signout] button")
    stored = page.evaluate(STORED)
    assert stored["dbs"] == [] and stored["pages"] == [], stored


def test_an_inspection_and_a_corrective_action_answered_offline(
    browser_page: Any, live_server: Any, world: Any, settings: Any, tmp_path: Any
) -> None:
    from anwei.accounts import services as accounts
    from anwei.accounts.roles import Role
    from anwei.inspections import services
    from anwei.inspections.models import CorrectiveAction, Inspection
    from anwei.inspections.tests.conftest import make_inspector, make_plan
    from anwei.inspections.tests.test_flow import school_round

    settings.MEDIA_ROOT = tmp_path
    services.install_standard_templates(actor=None)
    round_ = school_round(world, {"plan": make_plan(world), "inspector": make_inspector(world)})
    services.add_targets(actor=world.users["ethics"], round_=round_, units=[world.units["a1"]])
    inspection = round_.inspections.get()
    items = list(round_.version.items.order_by("order"))
    failing = next(item for item in items if item.answer_type == "yes_no")

    def answer(page: Any) -> None:
        for item in items:
            if item.answer_type == "yes_no":
                page.check(f"input[name=item-{item.pk}-choice][value={'no' if item == failing else 'yes'}]")
            elif item.answer_type == "number":
                page.fill(f"#item-{item.pk}-number", "12")
        page.fill(f"#item-{failing.pk}-note", "電腦教室教師共用帳號")
        page.set_input_files("#id_photo", files=[{"name": "room.png", "mimeType": "image/png", "buffer": PHOTO}])

    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "inspector")
    url = f"{live_server.url}/inspections/inspections/{inspection.pk}/"
    page = _filled_offline_and_reopened(page, url, answer, "button[name=submit]")
    assert_accessible(page)
    assert Inspection.objects.get().status != Inspection.Status.DONE
    item = _back_online(page)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.DONE
    expect(item).to_contain_text(str(inspection))
    action = CorrectiveAction.objects.get()
    assert "電腦教室教師共用帳號" in action.finding.description
    assert [p.file.read() for p in inspection.photos.all()] == [PHOTO]  # the photo taken offline came with it
    answer_ = page.evaluate(REPLAY)
    assert answer_["status"] == 200 and answer_["replayed"] == "true"
    assert CorrectiveAction.objects.count() == 1 and inspection.photos.count() == 1

    # the school's supervisor answers the corrective action offline, with a photo as evidence
    principal = world.people["in_b"]
    principal.unit = world.units["a1"]
    principal.save()
    user = accounts.create_user(actor=None, username="principal", password=PASSWORD, person=principal)
    accounts.assign_role(actor=None, user=user, role=Role.UNIT_SUPERVISOR, unit=world.units["a1"])
    page.context.clear_cookies()
    sign_in(page, live_server, "principal")

    def respond(page: Any) -> None:
        page.fill("#id_response", "已取消共用帳號並重設密碼")
        page.set_input_files("#id_evidence", files=[{"name": "room.png", "mimeType": "image/png", "buffer": PHOTO}])

    url = f"{live_server.url}/inspections/actions/{action.pk}/"
    page = _filled_offline_and_reopened(page, url, respond, "form[data-offline] button[type=submit]")
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.OPEN
    item = _back_online(page)
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.ANSWERED and action.response == "已取消共用帳號並重設密碼"
    assert action.evidence.read() == PHOTO
    expect(item).to_contain_text(str(action))
    answer_ = page.evaluate(REPLAY)
    assert answer_["status"] == 200 and answer_["replayed"] == "true"
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.ANSWERED
    assert_accessible(page)


def test_a_restricted_report_is_never_written_to_the_device(browser_page: Any, live_server: Any, world: Any) -> None:
    """docs/security.md, "Offline drafts and the queue": a leak report keeps no draft and waits offline in the page's
    memory only; IndexedDB never holds it; it is sent once when the network is back."""
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "ethics")
    _controlled(page, f"{live_server.url}/incidents/new/")
    page.context.set_offline(True)
    page.select_option("#id_category", "theft")
    page.fill("#id_title", "疑似洩漏標案底價")
    _until(page, f"({DRAFTS})().then((d) => d.map((x) => x.id.split(' ')[1]))", ["/incidents/new/"])  # kept as typed
    page.select_option("#id_category", "leak")  # restricted: the draft already kept is deleted
    page.fill("#id_description", "承辦人疑將底價告知廠商")
    page.fill("#id_aware_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    _until(page, f"({DRAFTS})().then((d) => d.length)", 0)
    page.click("main form[data-offline] button[type=submit]")
    expect(page.locator("#offline-queue .offline-item [data-state]")).to_have_text("待送出")
    expect(page.locator(".offline-note")).to_contain_text("保持此頁開啟")
    assert page.evaluate(QUEUE) == []
    assert page.evaluate(f"({DRAFTS})()") == []
    page.context.set_offline(False)
    page.click("[data-offline-send]")
    expect(page.locator("#offline-queue .offline-item [data-state]")).to_have_text("已送出")
    incident = Incident.objects.get()
    assert incident.category == "leak" and incident.title == "疑似洩漏標案底價"
    expect(page.locator("#offline-queue .offline-item")).to_contain_text(incident.reference)


def test_a_draft_comes_back_and_an_expired_session_signs_in_again(
    browser_page: Any, live_server: Any, world: Any
) -> None:
    """The form is kept as it is typed (the photo too) and offered back when the page is opened again; a queued
    report whose session has expired says to sign in again, and is sent once the person has."""
    from django.contrib.sessions.models import Session

    page = browser_page
    context = page.context
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "staff_a")
    new = f"{live_server.url}/incidents/new/"
    _controlled(page, new)
    context.set_offline(True)
    page.select_option("#id_category", "theft")
    page.fill("#id_title", "公務車輪胎遭竊")
    page.fill("#id_description", "停車場公務車四輪遭竊")
    page.fill("#id_aware_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.set_input_files("#id_attachments", files=[{"name": "car.png", "mimeType": "image/png", "buffer": PHOTO}])
    _until(page, f"({DRAFTS})().then((d) => d.length && d[0].entries.some(([n, v]) => v instanceof Blob))", True)
    page.close()
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(new)
    expect(page.locator("#id_title")).to_have_value("")
    expect(page.locator(".offline-note")).to_contain_text("草稿")
    page.click(".offline-note button:has-text('還原草稿')")
    expect(page.locator("#id_title")).to_have_value("公務車輪胎遭竊")
    expect(page.locator("#id_category")).to_have_value("theft")
    assert page.evaluate("document.getElementById('id_attachments').files[0].name") == "car.png"
    assert_accessible(page)
    big = {"name": "huge.png", "mimeType": "image/png", "buffer": PHOTO + b"\0" * (5 * 1024 * 1024)}
    page.set_input_files("#id_attachments", files=[big])  # over 5 MB: not kept offline, and the person is told
    expect(page.locator(".offline-note[role=alert]")).to_contain_text("最多 5 MB：huge.png 太大")
    page.click("main form[data-offline] button[type=submit]")
    expect(page.locator("#offline-queue .offline-item")).to_have_count(0)
    page.set_input_files("#id_attachments", files=[{"name": "car.png", "mimeType": "image/png", "buffer": PHOTO}])
    page.click("main form[data-offline] button[type=submit]")
    expect(page.locator("#offline-queue .offline-item [data-state]")).to_have_text("待送出")

    Session.objects.all().delete()  # the session ends while the phone has no network
    context.set_offline(False)
    page.click("[data-offline-send]")
    item = page.locator("#offline-queue .offline-item")
    expect(item.locator("[data-state]")).to_have_text("失敗")
    expect(item).to_contain_text("請重新登入")
    assert not Incident.objects.exists()
    with page.expect_navigation():
        item.locator("a", has_text="登入").click()
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "staff_a")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.url == new  # back where the person was; the queue is sent
    item = page.locator("#offline-queue .offline-item")
    expect(item.locator("[data-state]")).to_have_text("已送出")
    incident = Incident.objects.get()
    assert incident.title == "公務車輪胎遭竊" and Attachment.objects.get(incident=incident).file.read() == PHOTO
    expect(item).to_contain_text(incident.reference)


def test_without_javascript_the_report_form_posts_as_before(chromium: Any, live_server: Any, world: Any) -> None:
    """Progressive enhancement: with JavaScript off there is no worker and no queue, and the form files the report."""
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, "staff_a")
        page.goto(f"{live_server.url}/incidents/new/")
        page.select_option("#id_category", "theft")
        page.fill("#id_title", "辦公室筆電失竊")
        page.fill("#id_description", "會議室筆電遺失")
        page.fill("#id_aware_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        incident = Incident.objects.get()
        assert page.url.endswith(f"/incidents/{incident.pk}/") and incident.title == "辦公室筆電失竊"
        assert page.locator("#offline-queue").is_hidden()
    finally:
        context.close()


def test_a_queued_report_refused_for_its_errors_is_fixed_and_sent_again(
    browser_page: Any, live_server: Any, world: Any
) -> None:
    page = browser_page
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "staff_a")
    _controlled(page, f"{live_server.url}/incidents/new/")
    page.context.set_offline(True)
    page.select_option("#id_category", "theft")
    page.fill("#id_description", "未填標題就送出")  # no title: the server will refuse it
    page.fill("#id_aware_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.click("main form[data-offline] button[type=submit]")
    expect(page.locator("#offline-queue .offline-item [data-state]")).to_have_text("待送出")
    page.context.set_offline(False)
    page.click("[data-offline-send]")
    item = page.locator("#offline-queue .offline-item")
    expect(item.locator("[data-state]")).to_have_text("失敗")
    expect(item.locator(".reason")).not_to_be_empty()
    expect(page.locator("[data-offline-badge]")).to_have_text("1 筆待送出")
    assert_accessible(page)
    assert not Incident.objects.exists()
    with page.expect_navigation():
        item.locator("a", has_text="修改後重新送出").click()
    expect(page.locator("#id_description")).to_have_value("未填標題就送出")
    page.fill("#id_title", "補上標題")
    with page.expect_navigation():
        page.click("main form[data-offline] button[type=submit]")
    incident = Incident.objects.get()
    assert incident.title == "補上標題" and incident.description == "未填標題就送出"
    expect(page.locator("[data-offline-badge]")).to_be_hidden()
    assert page.evaluate(QUEUE) == []
