import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anwei.audit.models import AuditEntry
from anwei.incidents import services
from anwei.incidents.models import Attachment, Incident
from anwei.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_api_files_level3_cyber_report_and_raises_it(roster: Any, client_for: Any) -> None:
    aware = (timezone.now() - timedelta(minutes=15)).replace(microsecond=0)
    staff = client_for("staff_a")
    response = _post(
        staff,
        "/api/v1/incidents",
        {"category": "cyber", "title": "網站遭置換", "cyber_level": 3, "aware_at": aware.isoformat()},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    clocks = {c["code"]: c for c in body["clocks"]}
    assert datetime.fromisoformat(clocks["notify"]["due_at"]) == aware + timedelta(hours=1)
    assert datetime.fromisoformat(clocks["recovery"]["due_at"]) == aware + timedelta(hours=36)
    incident = Incident.objects.get(pk=body["id"])
    assert incident.deadlines.get(code="recovery").due_at == aware + timedelta(hours=36)
    assert Notification.objects.filter(contact__email="mjib@outside.example").exists()
    # staff may not change the level; the ethics officer may, and that re-notifies
    assert _post(staff, f"/api/v1/incidents/{incident.pk}/level", {"cyber_level": 4}).status_code == 403
    ethics = client_for("ethics")
    assert _post(ethics, f"/api/v1/incidents/{incident.pk}/level", {"cyber_level": 4}).status_code == 200
    assert Notification.objects.filter(key__contains=":level:", contact__email="mjib@outside.example").exists()


def test_api_field_errors_and_nothing_half_saved(roster: Any, client_for: Any) -> None:
    staff = client_for("staff_a")
    r = _post(staff, "/api/v1/incidents", {"category": "cyber", "title": "x"})
    assert r.status_code == 422 and "cyber_level" in r.json()["error"]["fields"]
    r = _post(staff, "/api/v1/incidents", {"category": "cyber", "title": "x", "cyber_level": 5})
    assert r.status_code == 422 and "cyber_level" in r.json()["error"]["fields"]
    r = _post(staff, "/api/v1/incidents", {"category": "nope", "title": "x"})
    assert r.status_code == 422 and "category" in r.json()["error"]["fields"]
    r = _post(staff, "/api/v1/incidents", {"category": "theft", "title": "x", "unit_id": roster.units["b"].pk})
    assert r.status_code == 422 and "unit_id" in r.json()["error"]["fields"]
    assert not Incident.objects.exists() and not Notification.objects.exists()


def test_restricted_report_is_invisible_to_another_unit(roster: Any, client_for: Any) -> None:
    secret = services.file_report(
        actor=roster.users["staff_b"], agency=roster.agency, category="leak", title="機密外流-不可見"
    )
    other = client_for("staff_a")
    missing = other.get("/incidents/999999/")
    refused = other.get(f"/incidents/{secret.pk}/")
    assert refused.status_code == missing.status_code == 404
    assert "機密外流" not in refused.content.decode()
    api_refused = other.get(f"/api/v1/incidents/{secret.pk}")
    api_missing = other.get("/api/v1/incidents/999999")
    assert api_refused.status_code == 404 and api_refused.json() == api_missing.json()
    assert "機密外流" not in other.get("/incidents/").content.decode()
    assert "機密外流" not in other.get("/api/v1/incidents").content.decode()
    # the ethics officer sees it, and the view is on the audit log
    before = AuditEntry.objects.filter(action="view", object_id=str(secret.pk)).count()
    assert client_for("ethics").get(f"/incidents/{secret.pk}/").status_code == 200
    assert client_for("ethics").get(f"/api/v1/incidents/{secret.pk}").status_code == 200
    views = AuditEntry.objects.filter(action="view", object_id=str(secret.pk))
    assert views.count() == before + 2
    assert all("機密外流" not in e.object_repr for e in views)


def test_form_with_attachment_and_field_errors(roster: Any, client_for: Any) -> None:
    staff = client_for("staff_a")
    page = staff.get("/incidents/new/")
    assert page.status_code == 200 and "可容忍中斷時間" in page.content.decode()  # level definitions shown
    bad = staff.post("/incidents/new/", {"category": "cyber", "title": "缺等級"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    bad = staff.post("/incidents/new/", {"category": "theft", "title": "失竊", "attachments": [fake]})
    assert bad.status_code == 200 and 'id="id_attachments_error"' in bad.content.decode()
    assert not Incident.objects.exists() and not Attachment.objects.exists()
    pdf = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    ok = staff.post("/incidents/new/", {"category": "theft", "title": "失竊", "attachments": [pdf]})
    assert ok.status_code == 302
    item = Attachment.objects.get()
    assert item.content_type == "application/pdf" and item.size == 15 and len(item.sha256) == 64
    download = staff.get(f"/incidents/attachments/{item.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4\n%test\n"


def test_board_filters_and_htmx_partial(roster: Any, client_for: Any) -> None:
    services.file_report(actor=roster.users["staff_a"], agency=roster.agency, category="theft", title="竊案甲")
    services.file_report(
        actor=roster.users["staff_a"], agency=roster.agency, category="cyber", title="資安乙", cyber_level=1
    )
    duty = client_for("duty")
    page = duty.get("/incidents/?category=theft").content.decode()
    assert "竊案甲" in page and "資安乙" not in page
    partial = duty.get("/incidents/", headers={"HX-Request": "true"}).content.decode()
    assert "資安乙" in partial and "<html" not in partial


def test_board_pages_newest_first_and_only_the_first_page_refreshes(world: Any, client_for: Any, settings: Any) -> None:
    from anwei.incidents.views import BOARD_PAGE

    settings.ANWEI_FILING_RATE = "off"  # one person files more than a page of reports here
    now = timezone.now()
    for i in range(BOARD_PAGE + 3):
        services.file_report(
            actor=world.users["staff_a"],
            agency=world.agency,
            category="theft",
            title=f"竊案{i:03d}",
            aware_at=now - timedelta(minutes=BOARD_PAGE + 3 - i),
        )
    ethics = client_for("ethics")
    first = ethics.get("/incidents/?category=theft").content.decode()
    assert "竊案052" in first and "竊案003" in first and "竊案002" not in first  # newest 50 of 53
    assert 'hx-trigger="every' in first and "page=2" in first and "category=theft" in first
    assert "X-Anwei-Poll" in first  # the refresh does not keep an idle session alive
    second = ethics.get("/incidents/?category=theft&page=2").content.decode()
    assert all(f"竊案00{i}" in second for i in range(3)) and "竊案003" not in second
    assert 'hx-trigger="every' not in second  # an older page does not jump under the reader
