"""Pages: the CSV import lists bad rows and imports nothing; htmx draft saves; the export; a unit answers through
the page with evidence; the API saves and submits an inspection."""

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from tests.personas import World

from anwei.inspections.models import CorrectiveAction

from .test_flow import JPEG, school_round, schools_csv

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_import_page_names_bad_rows_and_imports_nothing(world: World, setup: dict[str, Any]) -> None:
    round_ = school_round(world, setup)
    c = _client(world.users["ethics"])
    url = f"/inspections/rounds/{round_.pk}/import/"
    upload = SimpleUploadedFile("s.csv", schools_csv(bad_line=58), content_type="text/csv")
    response = c.post(url, {"file": upload, "parent": world.units["b"].pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 列有錯誤" in body and '<td data-label="列">58</td>' in body and "缺少名稱" in body
    assert round_.inspections.count() == 0
    upload = SimpleUploadedFile("s.csv", schools_csv(), content_type="text/csv")
    response = c.post(url, {"file": upload, "parent": world.units["b"].pk})
    assert response.status_code == 302 and round_.inspections.count() == 120
    page = c.get(f"/inspections/rounds/{round_.pk}/").content.decode()
    assert "已完成 0／120 個受檢對象" in page


def test_htmx_draft_export_and_unit_answer(world: World, setup: dict[str, Any], tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    round_ = school_round(world, setup)
    from anwei.inspections import services

    services.add_targets(actor=world.users["ethics"], round_=round_, units=[world.units["a1"]])
    inspection = round_.inspections.get()
    items = list(round_.version.items.order_by("order"))
    inspector = _client(setup["inspector"])
    url = f"/inspections/inspections/{inspection.pk}/"
    response = inspector.post(url, {f"item-{items[0].pk}-choice": "no"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "草稿已儲存" in response.content.decode()
    assert "<html" not in response.content.decode()
    data = {f"item-{i.pk}-choice": "yes" for i in items[1:] if i.answer_type == "yes_no"}
    data.update({f"item-{i.pk}-number": "3" for i in items if i.answer_type == "number"})
    data[f"item-{items[0].pk}-note"] = "=cmd|' /C calc'!A0"
    response = inspector.post(url, {**data, "remarks": '=HYPERLINK("x")', "submit": "1"})
    assert response.status_code == 302
    export = _client(world.users["ethics"]).get(f"/inspections/rounds/{round_.pk}/export.csv")
    text = b"".join(export.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert world.units["a1"].name in text and items[0].question in text and "'=HYPERLINK" in text
    # issue 21: 民國 dates as in every other CSV, never 2026-12-06 or 2026-12-06 12:30
    import csv
    import io
    import re

    (_header, row) = list(csv.reader(io.StringIO(text)))
    inspection.refresh_from_db()
    due, submitted = inspection.due_on, timezone.localtime(inspection.submitted_at)
    assert row[2] == f"{due.year - 1911}年{due.month}月{due.day}日"
    assert row[4].startswith(f"{submitted.year - 1911}年{submitted.month}月{submitted.day}日{submitted.hour}時")
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)

    action = CorrectiveAction.objects.get()
    supervisor = _client(world.users["supervisor_a"])
    assert supervisor.get(f"/inspections/actions/{action.pk}/").status_code == 200
    bad = SimpleUploadedFile("e.exe", b"MZ\x90\x00", content_type="application/pdf")
    response = supervisor.post(f"/inspections/actions/{action.pk}/answer/", {"response": "已改善", "evidence": bad})
    assert response.status_code == 422 and "不接受此類檔案" in response.content.decode()
    good = SimpleUploadedFile("e.jpg", JPEG, content_type="image/jpeg")
    response = supervisor.post(f"/inspections/actions/{action.pk}/answer/", {"response": "已改善", "evidence": good})
    assert response.status_code == 302
    evidence = supervisor.get(f"/inspections/actions/{action.pk}/evidence/")
    assert evidence["Content-Type"] == "image/jpeg"
    response = inspector.post(f"/inspections/actions/{action.pk}/verify/", {"decision": "return", "note": ""})
    assert response.status_code == 422 and "請說明退回理由" in response.content.decode()
    response = inspector.post(f"/inspections/actions/{action.pk}/verify/", {"decision": "close", "note": "OK"})
    action.refresh_from_db()
    assert action.status == "closed"


def test_api_saves_and_submits(world: World, setup: dict[str, Any]) -> None:
    round_ = school_round(world, setup)
    from anwei.inspections import services

    services.add_targets(actor=world.users["ethics"], round_=round_, units=[world.units["b"]])
    inspection = round_.inspections.get()
    c = _client(setup["inspector"])
    answers = [
        {"item_id": i.pk, "choice": "yes"} if i.answer_type == "yes_no" else {"item_id": i.pk, "number": "2"}
        for i in round_.version.items.all()
        if i.answer_type in ("yes_no", "number")
    ]
    url = f"/api/v1/inspections/inspections/{inspection.pk}"
    response = c.patch(url, json.dumps({"answers": answers[:2]}), content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "draft"
    response = c.post(url + "/submit", "{}", content_type="application/json")
    assert response.status_code == 422 and response.json()["error"]["fields"]
    c.patch(url, json.dumps({"answers": answers}), content_type="application/json")
    response = c.post(url + "/submit", "{}", content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "done"
    rounds = c.get("/api/v1/inspections/rounds").json()
    assert rounds["items"][0]["done"] == 1 and rounds["items"][0]["total"] == 1


def test_admin_edits_a_template_into_a_new_version(world: World, setup: dict[str, Any]) -> None:
    from anwei.inspections.models import ChecklistTemplate

    template = ChecklistTemplate.objects.get(code="construction-site")
    c = _client(world.users["admin"])
    url = f"/inspections/templates/{template.pk}/edit/"
    assert c.get(url).status_code == 200
    data = {
        "name": "工地安全檢查",
        "description": "",
        "note": "增列高處作業",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-question": "高處作業是否設置護欄及安全網？",
        "items-0-answer_type": "yes_no",
        "items-0-severity": "high",
        "items-1-question": "",
        "items-1-answer_type": "yes_no",
        "items-1-severity": "low",
        "items-1-DELETE": "on",
    }
    response = c.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    current = template.current
    assert current is not None and current.number == 2
    assert [i.question for i in current.items.all()] == ["高處作業是否設置護欄及安全網？"]
    assert _client(world.users["ethics"]).post(url, data).status_code == 403


def test_a_checklist_downloads_as_csv_version_by_version(world: World, setup: dict[str, Any]) -> None:
    import csv
    import io

    from anwei.audit.models import AuditEntry
    from anwei.inspections.models import ChecklistTemplate

    template = ChecklistTemplate.objects.get(code="construction-site")
    response = _client(world.users["ethics"]).get(f"/inspections/templates/{template.pk}/items.csv?version=1")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["類別", "檢查項目"]  # headed as the page's columns
    questions = [r[1] for r in rows[1:]]
    assert questions == list(
        template.versions.get(number=1).items.order_by("order", "pk").values_list("question", flat=True)
    )
    assert AuditEntry.objects.filter(action="export", object_type="inspections.checklistitem").exists()
