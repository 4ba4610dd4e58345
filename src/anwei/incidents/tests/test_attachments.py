"""Attachments through the API (`POST /api/v1/incidents/{id}/attachments`, multipart) with the form's checks, and no
stored file left behind by a write that rolls back."""

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from anwei.audit.models import AuditEntry
from anwei.core.errors import BusinessRuleError
from anwei.incidents import attachments, filing, services
from anwei.incidents.models import Attachment, Incident, TimelineEntry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _report(world: Any, persona: str = "staff_a") -> Incident:
    return services.file_report(
        actor=world.users[persona], agency=world.agency, category="theft", title="公務機車失竊", unit=world.units["a"]
    )


def test_the_filer_attaches_files_through_the_api(roster: Any, client_for: Any) -> None:
    incident = _report(roster)
    response = client_for("staff_a").post(
        f"/api/v1/incidents/{incident.pk}/attachments",
        {"files": [SimpleUploadedFile("現場照片.png", PNG), SimpleUploadedFile("報案單.pdf", PDF)]},
    )
    assert response.status_code == 201, response.content
    body = {item["name"]: item for item in response.json()}
    assert body["現場照片.png"]["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert body["報案單.pdf"]["content_type"] == "application/pdf" and body["報案單.pdf"]["size"] == len(PDF)
    rows = Attachment.objects.filter(incident=incident)
    assert rows.count() == 2 and len(_stored_files()) == 2
    assert {r.file.read() for r in rows} == {PNG, PDF}
    audited = AuditEntry.objects.filter(object_type="incidents.attachment", action="create")
    assert {e.changes["sha256"] for e in audited} == {hashlib.sha256(PNG).hexdigest(), hashlib.sha256(PDF).hexdigest()}
    assert incident.timeline.filter(kind=TimelineEntry.Kind.ATTACHMENT).count() == 2


def test_api_attachments_get_the_forms_checks_and_keep_nothing_of_a_refused_batch(
    roster: Any, client_for: Any, settings: Any
) -> None:
    incident = _report(roster)
    staff = client_for("staff_a")
    url = f"/api/v1/incidents/{incident.pk}/attachments"
    disguised = {"files": [SimpleUploadedFile("ok.pdf", PDF), SimpleUploadedFile("photo.pdf", PNG)]}
    response = staff.post(url, disguised)  # a PNG named .pdf: the type is read from the content
    assert response.status_code == 422 and "files" in response.json()["error"]["fields"]
    settings.ANWEI_MAX_UPLOAD_BYTES = 16
    response = staff.post(url, {"files": [SimpleUploadedFile("big.pdf", PDF)]})
    assert response.status_code == 422 and "files" in response.json()["error"]["fields"]
    assert staff.post(url, {}).status_code == 422  # no file
    assert not Attachment.objects.exists() and _stored_files() == []
    # someone who may see the report but not handle it, and someone who may not see it
    assert client_for("auditor").post(url, {"files": [SimpleUploadedFile("a.pdf", PDF)]}).status_code == 403
    assert client_for("staff_b").post(url, {"files": [SimpleUploadedFile("a.pdf", PDF)]}).status_code == 404
    assert _stored_files() == []


def test_a_filing_that_rolls_back_leaves_no_file(roster: Any, monkeypatch: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr(filing.outbox, "write_new", broken)  # the filing's outbox write fails after the files
    with pytest.raises(RuntimeError):
        services.file_report(
            actor=roster.users["staff_a"],
            agency=roster.agency,
            category="theft",
            title="失竊",
            attachments=[SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.png", PNG)],
        )
    assert not Incident.objects.exists() and not Attachment.objects.exists()
    assert _stored_files() == []


def test_a_batch_that_fails_half_way_deletes_what_it_stored(roster: Any) -> None:
    incident = _report(roster)
    services.add_attachments(
        actor=roster.users["staff_a"],
        incident_id=incident.pk,
        uploads=[SimpleUploadedFile(f"{i}.pdf", PDF + bytes([i])) for i in range(attachments.MAX_FILES - 1)],
    )
    before = _stored_files()
    with pytest.raises(BusinessRuleError):  # the second file is one too many, after the first was stored
        services.add_attachments(
            actor=roster.users["staff_a"],
            incident_id=incident.pk,
            uploads=[SimpleUploadedFile("x.pdf", PDF + b"x"), SimpleUploadedFile("y.pdf", PDF + b"y")],
        )
    assert _stored_files() == before and incident.attachments.count() == attachments.MAX_FILES - 1


def test_files_left_by_an_outer_rollback_are_removed_by_the_sweep(roster: Any) -> None:
    import os
    import time

    kept = services.add_attachments(
        actor=roster.users["staff_a"], incident_id=_report(roster).pk, uploads=[SimpleUploadedFile("kept.pdf", PDF)]
    )[0]
    with pytest.raises(RuntimeError), transaction.atomic():  # the caller's transaction fails after the filing
        services.file_report(
            actor=roster.users["staff_a"],
            agency=roster.agency,
            category="theft",
            title="失竊",
            attachments=[SimpleUploadedFile("lost.pdf", PDF + b"lost")],
        )
        raise RuntimeError("the caller's own write failed")
    assert len(_stored_files()) == 2  # the filing's own block committed into the outer one: its file is orphaned
    assert attachments.remove_orphans() == []  # too young: it may belong to a transaction still running
    hour_ago = time.time() - 3700
    for path in _stored_files():
        os.utime(path, (hour_ago, hour_ago))
    removed = attachments.remove_orphans()
    assert len(removed) == 1 and removed[0] != kept.file.name
    assert [p.name for p in _stored_files()] == [Path(kept.file.name).name]
