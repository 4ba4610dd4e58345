"""The issue's "Done when" as one journey in the browser: the ethics officer creates a round of the school
computer-security checklist and imports 120 schools from CSV on the page; the inspector completes one school at phone
width with a failed item and a photo; the round shows 1/120; a staff member of that school answers the corrective
action with evidence; the inspector closes it — and every step is on the audit log under the person who took it."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from tests.browser import DESKTOP, PHONE, sign_in
from tests.personas import PASSWORD

from anwei.accounts import services as accounts
from anwei.accounts.roles import Role
from anwei.audit.models import AuditEntry
from anwei.directory import services as directory
from anwei.directory.models import Person, Unit
from anwei.inspections import services
from anwei.inspections.models import ChecklistTemplate, CorrectiveAction, Inspection, Round

from .conftest import make_inspector, make_plan
from .test_flow import schools_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def pages(chromium: Any) -> Iterator[Any]:
    """pages(viewport) → a fresh page in a context of its own (one person each), closed at the end."""
    contexts: list[Any] = []

    def new(viewport: dict[str, int]) -> Any:
        context = chromium.new_context(viewport=viewport, locale="zh-TW")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield new
    for context in contexts:
        context.close()


def test_round_over_120_imported_schools_to_closure_in_the_browser(
    pages: Any, live_server: Any, world: Any, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    services.install_standard_templates(actor=None)
    plan = make_plan(world)
    inspector = make_inspector(world)
    education = directory.create_unit(actor=None, agency=world.agency, name="教育處", parent=world.units["root"])
    ethics = world.users["ethics"]
    today = timezone.localdate().isoformat()

    # 1. the ethics officer starts the round and imports the schools through the pages
    office = pages(DESKTOP)
    sign_in(office, live_server, "ethics")
    office.goto(f"{live_server.url}/inspections/rounds/new/")
    office.select_option("#id_plan", str(plan.pk))
    office.select_option("#id_template", str(ChecklistTemplate.objects.get(code="school-computer").pk))
    office.fill("#id_title", "縣立國民中小學電腦資訊機密維護檢查")
    office.select_option("#id_unit", str(world.units["ethics"].pk))
    office.fill("#id_starts_on", today)
    office.fill("#id_ends_on", today)
    office.select_option("#id_recurrence", "once")
    office.select_option("#id_inspectors", str(inspector.pk))
    with office.expect_navigation():
        office.click("main button[type=submit]")
    round_ = Round.objects.get(title="縣立國民中小學電腦資訊機密維護檢查")
    assert office.url.endswith(f"/inspections/rounds/{round_.pk}/")
    with office.expect_navigation():
        office.click(f"a[href='/inspections/rounds/{round_.pk}/import/']")
    schools = tmp_path / "schools.csv"
    schools.write_bytes(schools_csv(120))
    office.set_input_files("#id_file", str(schools))
    office.select_option("#id_parent", str(education.pk))
    with office.expect_navigation():
        office.click("main form button[type=submit]")
    assert office.url.endswith(f"/inspections/rounds/{round_.pk}/")
    assert "已完成 0／120 個受檢對象" in office.inner_text(".progress-line")
    assert Unit.objects.filter(parent=education).count() == 120

    # 2. the inspector completes one school at phone width: a failed item, a photo
    inspection = Inspection.objects.get(round=round_, target__code="S007")
    items = list(round_.version.items.order_by("order"))
    phone = pages(PHONE)
    sign_in(phone, live_server, "inspector")
    phone.goto(f"{live_server.url}/inspections/inspections/{inspection.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    failing = items[0]
    phone.check(f"input[name=item-{failing.pk}-choice][value=no]")
    phone.fill(f"#item-{failing.pk}-note", "教師共用帳號，密碼貼於螢幕")
    for item in items[1:]:
        if item.answer_type == "yes_no":
            phone.check(f"input[name=item-{item.pk}-choice][value=yes]")
        elif item.answer_type == "number":
            phone.fill(f"#item-{item.pk}-number", "12")
    phone.wait_for_selector("#save-status:has-text('草稿已儲存')")  # the draft is saved as the inspector goes
    phone.wait_for_load_state("networkidle")
    with phone.expect_navigation():
        phone.click("button[name=save]")
    photo = tmp_path / "room.jpg"
    photo.write_bytes(JPEG)
    phone.set_input_files("#id_photo", str(photo))
    with phone.expect_navigation():
        phone.click("button[name=upload]")
    assert phone.locator("img.thumb").count() == 1
    with phone.expect_navigation():
        phone.click("button[name=submit]")

    # 3. the round shows 1/120
    office.reload()
    assert "已完成 1／120 個受檢對象" in office.inner_text(".progress-line")
    assert office.locator("progress").get_attribute("value") == "1"

    # 4. a staff member of that school answers the corrective action with evidence
    action = CorrectiveAction.objects.get(finding__inspection=inspection)
    school = inspection.target
    assert action.unit == school and action.status == "open"
    teacher = Person.objects.create(agency=world.agency, unit=school, name="資訊組長", title="教師")
    staff = accounts.create_user(
        actor=None, username="school-it", password=PASSWORD, agency=world.agency, person=teacher
    )
    accounts.assign_role(actor=None, user=staff, role=Role.STAFF, unit=school)
    unit_page = pages(PHONE)
    sign_in(unit_page, live_server, "school-it")
    unit_page.goto(f"{live_server.url}/inspections/actions/")
    with unit_page.expect_navigation():
        unit_page.click(f"a[href='/inspections/actions/{action.pk}/']")
    unit_page.fill("#id_response", "已取消共用帳號並重設密碼，螢幕周邊已清除")
    evidence = tmp_path / "evidence.pdf"
    evidence.write_bytes(PDF)
    unit_page.set_input_files("#id_evidence", str(evidence))
    with unit_page.expect_navigation():
        unit_page.click("#answer-h ~ form button[type=submit]")
    action.refresh_from_db()
    assert (action.status, action.answered_by_id, action.evidence_type) == ("answered", staff.pk, "application/pdf")

    # 5. the inspector closes it
    phone.goto(f"{live_server.url}/inspections/actions/{action.pk}/")
    phone.fill("#id_note", "複查確認已改善")
    with phone.expect_navigation():
        phone.click("button[name=decision][value=close]")
    action.refresh_from_db()
    assert action.status == "closed" and action.verified_by_id == inspector.pk

    # 6. every step on the audit log, under the person who took it
    def logged(object_type: str, action_: str, actor: Any, **changes: Any) -> bool:
        entries = AuditEntry.objects.filter(object_type=object_type, action=action_, actor_id=actor.pk)
        return any(all(key in e.changes for key in changes) for e in entries) if changes else entries.exists()

    assert logged("inspections.round", "create", ethics)
    assert logged("directory.unit", "create", ethics, imported_for_round=True)
    assert logged("inspections.round", "update", ethics, targets_added=True)
    assert logged("inspections.inspection", "update", inspector)
    assert logged("inspections.photo", "create", inspector)
    assert AuditEntry.objects.filter(object_type="inspections.finding", action="create").exists()
    assert logged("inspections.correctiveaction", "create", inspector)
    assert logged("inspections.correctiveaction", "update", staff, evidence=True)
    assert logged("inspections.correctiveaction", "update", inspector)
    by_inspector = AuditEntry.objects.filter(object_type="inspections.correctiveaction", actor_id=inspector.pk)
    assert ["answered", "closed"] in [e.changes.get("status") for e in by_inspector]
    answered = AuditEntry.objects.filter(object_type="inspections.correctiveaction", actor_id=staff.pk)
    assert ["open", "answered"] in [e.changes.get("status") for e in answered]
