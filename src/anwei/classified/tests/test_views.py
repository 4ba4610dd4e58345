"""The register through its pages and API: the issue's 'Done when' journeys, and no title leaks."""

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from anwei.audit.models import AuditEntry
from anwei.classified import grants
from anwei.classified.models import ClassifiedItem, CustodyRequest, InventoryCheck, Transfer
from anwei.classified.rules import Level
from anwei.notifications.models import Notification

from .factories import SECRET_TITLE, item

pytestmark = pytest.mark.django_db


def _local(dt: Any) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_copy_journey_through_pages(world: Any, client_for: Any) -> None:
    original = item(world)
    grants.grant_need_to_know(actor=world.users["staff_a"], item=original, user=world.users["staff_b"], reason="會辦")
    staff_b = client_for("staff_b")
    due = timezone.now() + timedelta(days=2)
    response = staff_b.post(
        f"/classified/items/{original.pk}/request/",
        {"kind": "photocopy", "purpose": "會辦財政處", "copies": "2", "due_back": _local(due)},
    )
    assert response.status_code == 302
    req = CustodyRequest.objects.get(item=original)
    queue = client_for("supervisor_a").get("/classified/queue/")
    assert original.reference_no in queue.content.decode()
    assert SECRET_TITLE not in queue.content.decode()
    response = client_for("supervisor_a").post(
        f"/classified/requests/{req.pk}/decide/", {"approve": "1", "next": "queue"}
    )
    assert response.status_code == 302 and response.url == "/classified/queue/"
    page = client_for("staff_a").get(f"/classified/items/{original.pk}/").content.decode()
    assert "複製物 第1號" in page and "複製物 第2號" in page
    assert page.count("staff_b-person") >= 2  # who holds each copy
    copy1 = original.copies.get(copy_number=1)
    ClassifiedItem.objects.filter(pk=copy1.pk).update(due_back=timezone.now() - timedelta(hours=1))
    assert "逾期" in client_for("staff_a").get(f"/classified/items/{original.pk}/").content.decode()
    assert client_for("staff_a").post(f"/classified/copies/{copy1.pk}/return/", {}).status_code == 302
    copy1.refresh_from_db()
    assert copy1.returned_at is not None and copy1.status == ClassifiedItem.Status.IN_CUSTODY
    assert "逾期歸還" in client_for("staff_a").get(f"/classified/items/{original.pk}/").content.decode()


def test_top_secret_copy_refused_on_the_page(world: Any, client_for: Any) -> None:
    top = item(world, level=Level.TOP_SECRET, protection_until=date(2050, 1, 1))
    client = client_for("staff_a")
    page = client.get(f"/classified/items/{top.pk}/request/").content.decode()
    assert "國家機密保護法第15條第3項" in page
    response = client.post(
        f"/classified/items/{top.pk}/request/",
        {"kind": "copy", "purpose": "x", "copies": "1", "due_back": _local(timezone.now() + timedelta(days=1))},
    )
    assert response.status_code == 200
    assert "國家機密保護法第15條第3項" in response.content.decode()
    assert not CustodyRequest.objects.exists()
    api = client.post(
        f"/api/v1/classified/items/{top.pk}/requests",
        data=json.dumps({"kind": "fax", "purpose": "x"}),
        content_type="application/json",
    )
    assert api.status_code == 422
    body = api.json()["error"]
    assert body["code"] == "copy_forbidden" and "第15條第3項" in body["message"]


def test_without_need_to_know_reference_only_everywhere(world: Any, client_for: Any) -> None:
    it = item(world)
    client = client_for("supervisor_a")  # register access over unit A, no need-to-know
    for url in ("/classified/", f"/classified/?q={it.reference_no}", f"/classified/items/{it.pk}/"):
        body = client.get(url).content.decode()
        assert it.reference_no in body and "機密" in body
        assert SECRET_TITLE not in body and "內容摘要" not in body
    assert it.reference_no not in client.get("/classified/?q=反滲透").content.decode()
    csv = b"".join(client.get("/classified/export.csv").streaming_content).decode()
    assert it.reference_no in csv and SECRET_TITLE not in csv
    listed = client.get("/api/v1/classified/items").json()["items"]
    assert [(i["reference_no"], i["title"], i["content"]) for i in listed] == [(it.reference_no, None, None)]
    detail = client.get(f"/api/v1/classified/items/{it.pk}").json()
    assert detail["title"] is None and detail["level"] == "confidential"
    assert client.get(f"/api/v1/classified/items?q={SECRET_TITLE[:3]}").json()["items"] == []
    assert client.get(f"/classified/items/{it.pk}/print/").status_code == 403
    refused = client.post(f"/classified/items/{it.pk}/request/", {"kind": "take_out", "purpose": "x"})
    assert refused.status_code == 403 and SECRET_TITLE not in refused.content.decode()
    # the custodian sees the title; every view is on the audit log
    assert SECRET_TITLE in client_for("staff_a").get(f"/classified/items/{it.pk}/").content.decode()
    views = AuditEntry.objects.filter(action="view", object_id=str(it.pk))
    assert {e.actor_label for e in views} >= {"supervisor_a", "staff_a"}
    assert all(SECRET_TITLE not in json.dumps(e.changes, ensure_ascii=False) for e in AuditEntry.objects.all())


def test_period_beyond_maximum_refused_on_the_form(world: Any, client_for: Any) -> None:
    data = {
        "unit": world.units["a"].pk,
        "kind": "document",
        "title": "測試",
        "level": "confidential",
        "classified_on": "2026-01-05",
        "protection_until": "2036-01-06",
        "classifying_authority": "縣長",
        "custodian": world.users["staff_a"].pk,
        "storage_location": "櫃 1",
    }
    response = client_for("staff_a").post("/classified/items/new/", data)
    assert response.status_code == 200
    assert "第11條第2項" in response.content.decode()
    assert not ClassifiedItem.objects.exists()
    response = client_for("staff_a").post("/classified/items/new/", {**data, "protection_until": "2036-01-05"})
    assert response.status_code == 302
    assert ClassifiedItem.objects.get().reference_no.startswith("115機")


def test_sealed_envelope_transfer_through_pages(world: Any, client_for: Any) -> None:
    it = item(world)
    staff_a, staff_b = client_for("staff_a"), client_for("staff_b")
    response = staff_a.post(
        f"/classified/items/{it.pk}/transfer/",
        {
            "to_user": world.users["staff_b"].pk,
            "method": "sealed_envelope",
            "expected_by": _local(timezone.now() + timedelta(hours=3)),
        },
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert staff_a.post(f"/classified/transfers/{transfer.pk}/sent/").status_code == 302
    assert f"/classified/transfers/{transfer.pk}/received/" in staff_b.get("/classified/queue/").content.decode()
    assert staff_b.post(f"/classified/transfers/{transfer.pk}/received/").status_code == 302
    transfer.refresh_from_db()
    assert transfer.sent_at and transfer.received_at
    page = staff_b.get(f"/classified/items/{it.pk}/").content.decode()
    assert SECRET_TITLE in page  # the new custodian
    assert "密封信封" in page or "Sealed envelope" in page


def test_print_view_has_banner_and_watermark(world: Any, client_for: Any) -> None:
    it = item(world, level=Level.SECRET, protection_until=date(2040, 1, 1))
    body = client_for("staff_a").get(f"/classified/items/{it.pk}/print/").content.decode()
    assert body.count('class="level-banner level-secret"') == 2
    assert 'class="watermark"' in body and "staff_a-person" in body
    assert AuditEntry.objects.filter(action="view", changes__via="print").exists()


def test_inventory_check_records_missing_items(world: Any, client_for: Any) -> None:
    it = item(world)
    client = client_for("ethics")
    page = client.get("/classified/inventory/", {"location": it.storage_location}).content.decode()
    assert it.reference_no in page and SECRET_TITLE not in page
    response = client.post(
        "/classified/inventory/check/", {"location": it.storage_location, "missing": [it.pk], "note": "缺一件"}
    )
    assert response.status_code == 302
    check = InventoryCheck.objects.get()
    assert check.expected == 1 and list(check.missing.all()) == [it]
    assert Notification.objects.filter(key=f"classified-inventory-{check.pk}").exists()


def test_pdf_carries_banner_on_every_page_and_viewer_watermark(world: Any, client_for: Any) -> None:
    from anwei.classified import printing

    it = item(world, level=Level.SECRET, protection_until=date(2040, 1, 1))
    html = printing.pdf_html(it, viewer="staff_a-person", now=timezone.now())
    assert '@top-center { content: "極機密";' in html
    assert printing.css_string('a"</style>') == '"a\\22 \\3c \\2f style\\3e "'
    assert html.count("staff_a-person · ") >= 12
    response = client_for("staff_a").get(f"/classified/items/{it.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="view", changes__via="pdf").exists()
    assert client_for("supervisor_a").get(f"/classified/items/{it.pk}/pdf/").status_code == 403


def test_original_destruction_over_the_api_needs_declassification(world: Any, client_for: Any) -> None:
    it = item(world)
    client = client_for("supervisor_a")
    post = lambda url, data: client.post(url, data=json.dumps(data), content_type="application/json")  # noqa: E731
    refused = post(f"/api/v1/classified/items/{it.pk}/destruction", {"method": "碎紙", "reason": "x"})
    assert refused.status_code == 422 and "第15條第2項" in refused.json()["error"]["message"]
    assert SECRET_TITLE not in refused.content.decode()
    change = post(
        f"/api/v1/classified/items/{it.pk}/level-changes", {"reason": "解密", "authority": "縣長", "declassify": True}
    )
    assert change.status_code == 201 and change.json()["declassified"] is True
    done = post(f"/api/v1/classified/items/{it.pk}/destruction", {"method": "碎紙", "reason": "解密後銷毀"})
    assert done.status_code == 201
    it.refresh_from_db()
    assert it.status == ClassifiedItem.Status.DESTROYED
