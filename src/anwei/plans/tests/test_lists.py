"""CSV downloads of every plan list (BOM, streamed, audited as an export), the API's paginated lists, and evidence
judged by its content."""

from django.core.files.uploadedfile import SimpleUploadedFile

from anwei.audit.models import AuditEntry
from anwei.directory.models import DutyKind, DutyShift
from anwei.plans import services
from anwei.plans.models import Evidence

from .factories import START, make_plan


def _csv(response) -> list[str]:
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return body.decode("utf-8-sig").strip().splitlines()


def test_every_list_downloads_as_csv_and_each_download_is_audited(world, client_for):
    plan = make_plan(world, approve=True)
    services.add_contact(
        actor=None,
        plan=plan,
        name="沈科長",
        phones=[{"kind": "office", "number": "03-8227171", "ext": "315"}],
        reason="增列",
    )
    kind = DutyKind.objects.create(agency=world.agency, code="ethics", name="政風值勤")
    DutyShift.objects.create(kind=kind, starts_at=START, ends_at=START.replace(hour=23), person=None)
    client = client_for("staff_a")
    plans = _csv(client.get("/plans/plans.csv"))
    assert len(plans) == 2 and plan.title in plans[1]
    assert len(_csv(client_for("outsider").get("/plans/plans.csv"))) == 1  # the header only
    contacts = _csv(client.get(f"/plans/{plan.pk}/contacts.csv"))
    assert "沈科長" in contacts[1] and "03-8227171" in contacts[1] and "315" in contacts[1]
    roster = _csv(client.get(f"/plans/{plan.pk}/roster.csv"))
    assert len(roster) == 2 and "政風值勤" in roster[1]
    history = _csv(client.get(f"/plans/{plan.pk}/versions.csv"))
    assert len(history) == 3 and "增列" in history[2]  # approved, then the contact added
    _csv(client.get(f"/plans/{plan.pk}/tasks.csv"))
    exports = AuditEntry.objects.filter(action="export", actor_id=world.users["staff_a"].pk).order_by("seq")
    assert [e.changes["list"] for e in exports] == ["plans", "contacts", "roster", "versions", "tasks"]
    assert all(e.object_id == str(plan.pk) for e in exports[1:])


def test_api_lists_are_paginated(world, client_for):
    plan = make_plan(world, approve=True)
    for n in range(3):
        services.add_contact(actor=None, plan=plan, name=f"聯絡人{n}", reason="增列")
    client = client_for("ethics")
    page = client.get(f"/api/v1/plans/plans/{plan.pk}/contacts", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 3 and [c["name"] for c in page["items"]] == ["聯絡人1", "聯絡人2"]
    tasks = client.get(f"/api/v1/plans/plans/{plan.pk}/tasks", {"limit": 1}).json()
    assert tasks["count"] == 4 and len(tasks["items"]) == 1
    roster = client.get(f"/api/v1/plans/plans/{plan.pk}/roster").json()
    assert roster == {"items": [], "count": 0}
    assert client.get(f"/api/v1/plans/plans/{plan.pk}/roster", {"limit": 10_000}).status_code == 422


def test_evidence_is_judged_by_its_content_and_stored_under_a_safe_name(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_plan(world, approve=True)
    task = world.records["task_a"]
    client = client_for("staff_a")
    program = SimpleUploadedFile("工地照片.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", content_type="application/pdf")
    refused = client.post(f"/plans/tasks/{task.pk}/", {"file": program})
    assert refused.status_code == 200 and "errorlist" in refused.text
    assert not Evidence.objects.exists()
    sneaky = SimpleUploadedFile("..\\..\\.config<x>.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    assert client.post(f"/plans/tasks/{task.pk}/", {"file": sneaky}).status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.name == "configx.pdf"
    assert evidence.file.name.startswith("plans/evidence/") and ".." not in evidence.file.name
    assert (tmp_path / evidence.file.name).read_bytes() == b"%PDF-1.4 evidence"
    entry = AuditEntry.objects.get(object_type="plans.evidence")
    assert entry.changes["kind"] == "pdf" and len(entry.changes["sha256"]) == 64
