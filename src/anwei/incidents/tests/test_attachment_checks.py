"""Findings (issue 15): a report's attachments skipped the shared upload checks (ZIP bombs, members named
`../…`), and a 40-digit id in a multi-select field was a server error on SQLite."""

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anwei.incidents import services
from anwei.incidents.models import Attachment

pytestmark = pytest.mark.django_db

CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>'
)


def _docx(extra: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("members", "refusal"),
    [
        ({"word/media/huge.bin": b"\0" * (20 * 1024 * 1024)}, "壓縮炸彈"),
        ({"../../../etc/cron.d/evil": b"* * * * * root sh"}, "指向文件外部路徑"),
    ],
    ids=["zip-bomb", "path-traversal"],
)
def test_a_dangerous_office_document_is_refused(roster: Any, client_for: Any, members: Any, refusal: str) -> None:
    incident = services.file_report(actor=roster.users["staff_a"], agency=roster.agency, category="theft", title="失竊")
    upload = SimpleUploadedFile("現場說明.docx", _docx(members))
    response = client_for("staff_a").post(f"/api/v1/incidents/{incident.pk}/attachments", {"files": upload})
    assert response.status_code == 422, response.content
    message = response.json()["error"]["fields"]["files"][0]
    assert message.startswith("現場說明.docx")
    assert refusal in message
    assert not Attachment.objects.exists()


def test_a_real_office_document_is_still_accepted(roster: Any, client_for: Any) -> None:
    incident = services.file_report(actor=roster.users["staff_a"], agency=roster.agency, category="theft", title="失竊")
    upload = SimpleUploadedFile("現場說明.docx", _docx({}))
    response = client_for("staff_a").post(f"/api/v1/incidents/{incident.pk}/attachments", {"files": upload})
    assert response.status_code == 201, response.content
    assert Attachment.objects.get().content_type.endswith("wordprocessingml.document")


def test_a_forty_digit_id_in_a_multi_select_is_a_client_error(roster: Any, client_for: Any) -> None:
    response = client_for("ethics").post(
        "/inspections/rounds/new/",
        {"title": "春安檢查", "targets": ["1" * 40], "inspectors": ["9" * 40], "recurrence": "once"},
    )
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 200:
        assert "aria-invalid" in response.content.decode() or "errorlist" in response.content.decode()
