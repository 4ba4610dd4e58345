"""Finding (issue 15): sensitive reads without an audit entry — travel declaration pages, the printable contact
sheet, the audit viewer itself, and each attachment download (report attachments, inspection photos)."""

from typing import Any

import pytest
from django.core.files.base import ContentFile

from anwei.audit.models import AuditEntry
from anwei.incidents.models import Attachment
from tests.matrix import setup_world

pytestmark = pytest.mark.django_db


def _views(persona: Any, **lookup: Any) -> int:
    return AuditEntry.objects.filter(actor=persona, action="view", **lookup).count()


def test_each_sensitive_read_is_on_the_audit_log(world: Any, client_for: Any) -> None:
    setup_world(world)
    ethics = world.users["ethics"]
    client = client_for("ethics")

    travel = world.records["travel"]
    for url, lookup in [
        (
            f"/awareness/travel/{travel.pk}/",
            {"object_type": "awareness.traveldeclaration", "object_id": str(travel.pk)},
        ),
        ("/awareness/travel/", {"object_type": "awareness.traveldeclaration", "object_id": ""}),
        (
            f"/api/v1/awareness/travel/{travel.pk}",
            {"object_type": "awareness.traveldeclaration", "object_id": str(travel.pk)},
        ),
        (f"/plans/{world.records['plan'].pk}/contacts/sheet/", {"object_type": "plans.plan"}),
        ("/audit/", {"object_type": "audit.auditentry"}),
        (f"/inspections/photos/{world.records['photo'].pk}/", {"object_type": "inspections.photo"}),
        (f"/plans/evidence/{world.records['evidence_b'].pk}/", {"object_type": "plans.evidence"}),
    ]:
        before = _views(ethics, **lookup)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert _views(ethics, **lookup) == before + 1, url

    item = Attachment(
        incident=world.records["report_b"], name="log.txt", size=5, sha256="a" * 64, content_type="text/plain"
    )
    item.file.save("read-audit-log.txt", ContentFile(b"hello"), save=False)
    item.save()
    for expected in (1, 2):  # each download, not once per person
        response = client.get(f"/incidents/attachments/{item.pk}/")
        assert response.status_code == 200
        b"".join(response.streaming_content)
        entries = AuditEntry.objects.filter(actor=ethics, object_type="incidents.attachment", object_id=str(item.pk))
        assert entries.filter(action="view").count() == expected
    assert "log.txt" not in entries.first().object_repr  # named by reference and hash, as when it was attached
