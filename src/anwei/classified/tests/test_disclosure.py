"""What the register shows to whom, and that every showing is on the audit log: fields that describe an item only
with need-to-know (page and API), inventory checks of one's own agency only, listings, exports and API reads
audited, CSV exports streamed whole."""

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
from django.utils import translation

from anwei.audit.models import AuditEntry
from anwei.classified import custody, declassification, grants, services, storage
from anwei.classified.models import ClassifiedItem, InventoryCheck
from anwei.classified.rules import Level

from .factories import SECRET_TITLE, item, second_agency, soon

pytestmark = pytest.mark.django_db
CONDITION, AUTHORITY, PLACE, REASON = "東部聯外道路工程決標公告後", "交通部公路局局長", "工務科保險櫃甲", "配合決標調降"


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _described(world: Any) -> ClassifiedItem:
    it = item(
        world,
        protection_until=None,
        declassification_condition=CONDITION,
        classifying_authority=AUTHORITY,
        storage_location=PLACE,
    )
    declassification.change_level(
        actor=world.users["supervisor_a"], item=it, reason=REASON, authority=AUTHORITY, to_level=Level.RESTRICTED
    )
    req = custody.request(actor=world.users["staff_a"], item=it, kind="copy", purpose="會辦", copies=1, due_back=soon())
    custody.decide(actor=world.users["supervisor_a"], req=req, approve=True)
    return it


def _csv(response: Any) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _entries(actor: str, action: str = "view") -> Any:
    return AuditEntry.objects.filter(actor_label=actor, action=action).order_by("seq")


def test_without_need_to_know_no_describing_fields_on_the_page(world: Any, client_for: Any) -> None:
    it = _described(world)
    body = client_for("supervisor_a").get(f"/classified/items/{it.pk}/").content.decode()
    assert it.reference_no in body and "115年1月5日" in body  # reference number, level, status and dates
    for text in (SECRET_TITLE, CONDITION, AUTHORITY, PLACE, REASON):
        assert text not in body, text
    copy_page = client_for("supervisor_a").get(f"/classified/items/{it.copies.get().pk}/").content.decode()
    assert all(t not in copy_page for t in (SECRET_TITLE, CONDITION, AUTHORITY, PLACE))
    mine = client_for("staff_a").get(f"/classified/items/{it.pk}/").content.decode()
    for text in (SECRET_TITLE, CONDITION, AUTHORITY, PLACE, REASON):
        assert text in mine, text


def test_without_need_to_know_no_describing_fields_in_the_api(world: Any, client_for: Any) -> None:
    it = _described(world)
    client = client_for("supervisor_a")
    detail = client.get(f"/api/v1/classified/items/{it.pk}").json()
    assert detail["reference_no"] == it.reference_no and detail["level"] == "restricted"
    assert detail["status"] == "in_custody" and detail["classified_on"] == "2026-01-05"
    for field in ("title", "content", "declassification_condition", "classifying_authority", "storage_location"):
        assert detail[field] is None, field
    assert detail["copies"][0]["storage_location"] is None
    (listed,) = client.get("/api/v1/classified/items").json()["items"]
    assert listed["declassification_condition"] is None and listed["storage_location"] is None
    (change,) = client.get(f"/api/v1/classified/items/{it.pk}/level-changes").json()
    assert change["reason"] is None and change["authority"] is None and change["to_level"] == "restricted"
    raw = client.get(f"/api/v1/classified/items/{it.pk}").content.decode()
    assert all(t not in raw for t in (SECRET_TITLE, CONDITION, AUTHORITY, PLACE))
    own = client_for("staff_a").get(f"/api/v1/classified/items/{it.pk}").json()
    assert (own["declassification_condition"], own["classifying_authority"], own["storage_location"]) == (
        CONDITION,
        AUTHORITY,
        PLACE,
    )
    assert client_for("staff_a").get(f"/api/v1/classified/items/{it.pk}/level-changes").json()[0]["reason"] == REASON


def test_inventory_shows_checks_of_ones_own_agency_only(world: Any, client_for: Any) -> None:
    place = "建設處機密櫃 1"
    it = item(world, reference_no="本縣A-001")
    other = second_agency(world)
    theirs = services.register_item(
        actor=other["other_staff"],
        unit=other["unit"],
        title="鄰縣機密",
        level=Level.CONFIDENTIAL,
        classified_on=date(2026, 1, 5),
        protection_until=date(2030, 1, 1),
        classifying_authority="鄰縣縣長",
        custodian=other["other_staff"],
        storage_location=place,  # the same name of a cabinet, in another county
        reference_no="鄰縣115機0001",
    )
    storage.record_inventory(
        actor=other["other_ethics"],
        agency_id=other["agency"].pk,
        storage_location=place,
        expected=[theirs],
        missing=[theirs],
        note="鄰縣清點備註",
    )
    storage.record_inventory(
        actor=world.users["ethics"], agency_id=world.agency.pk, storage_location=place, expected=[it], missing=[]
    )
    ours = client_for("ethics").get("/classified/inventory/", {"location": place}).content.decode()
    assert "短少 0 件" in ours and "短少 1 件" not in ours and theirs.reference_no not in ours
    api = client_for("ethics").get("/api/v1/classified/inventory", {"location": place}).json()
    assert [c["checked_by_id"] for c in api["checks"]] == [world.users["ethics"].pk]
    assert [i["reference_no"] for i in api["items"]] == [it.reference_no]
    world.users["other_ethics"] = other["other_ethics"]  # so client_for can sign in as them
    theirs_page = client_for("other_ethics").get("/classified/inventory/", {"location": place}).content.decode()
    assert "短少 1 件" in theirs_page and "短少 0 件" not in theirs_page and it.reference_no not in theirs_page


def test_every_listing_is_audited(world: Any, client_for: Any) -> None:
    it = item(world)
    second = item(world, protection_until=date(2029, 1, 1))
    client = client_for("supervisor_a")
    client.get("/classified/")
    client.get("/api/v1/classified/items")
    client.get("/classified/inventory/", {"location": it.storage_location})
    client.get("/api/v1/classified/inventory", {"location": it.storage_location})
    client.get(f"/api/v1/classified/items/{it.pk}")
    client.get(f"/api/v1/classified/items/{it.pk}/requests")
    client.get(f"/api/v1/classified/items/{it.pk}/transfers")
    client.get(f"/api/v1/classified/items/{it.pk}/level-changes")
    vias = [e.changes["via"] for e in _entries("supervisor_a")]
    assert vias == [
        "page",
        "api",
        "inventory",
        "api:inventory",
        "api",
        "api:requests",
        "api:transfers",
        "api:level-changes",
    ]
    listing = _entries("supervisor_a").first()
    assert listing is not None and set(listing.changes["listed"]) == {it.reference_no, second.reference_no}
    assert listing.changes["titles_shown"] == []
    # the combine form lists the items whose titles it shows
    client_for("staff_a").get("/classified/combine/")
    combine = _entries("staff_a").get(changes__via="combine")
    assert set(combine.changes["listed"]) == {it.reference_no, second.reference_no}
    assert set(combine.changes["titles_shown"]) == {it.pk, second.pk}
    assert all(SECRET_TITLE not in json.dumps(e.changes, ensure_ascii=False) for e in AuditEntry.objects.all())


def test_register_csv_is_streamed_whole_titles_only_with_need_to_know(world: Any, client_for: Any) -> None:
    readable = item(world, title="可讀文件標題")
    grants.grant_need_to_know(
        actor=world.users["staff_a"], item=readable, user=world.users["supervisor_a"], reason="會辦"
    )
    base = item(world)
    ClassifiedItem.objects.bulk_create(
        ClassifiedItem(
            agency=world.agency,
            unit=world.units["a"],
            reference_no=f"BULK-{n:05d}",
            title=SECRET_TITLE,
            level=Level.RESTRICTED,
            classified_on=base.classified_on,
            protection_until=date(2030, 1, 1),
            classifying_authority="縣長",
            custodian=world.users["staff_a"],
            storage_location=PLACE,
        )
        for n in range(5010)
    )
    rows = _csv(client_for("supervisor_a").get("/classified/export.csv"))
    header, body = rows[0], rows[1:]
    assert header[0] == "文號" and len(body) == 5012  # nothing dropped past 5,000
    by_ref = {r[0]: r for r in body}
    assert by_ref[readable.reference_no][-1] == "可讀文件標題"
    assert by_ref[readable.reference_no][-2] == readable.storage_location
    assert by_ref["BULK-05009"][-1] == "" and by_ref["BULK-05009"][-2] == ""
    assert SECRET_TITLE not in "".join(",".join(r) for r in body) and PLACE not in str(body)
    export = AuditEntry.objects.get(action="export", actor_label="supervisor_a")
    assert export.changes["rows"] == 5012 and export.changes["titles_shown"] == [readable.reference_no]


def test_register_csv_search_is_audited_sealed(world: Any, client_for: Any) -> None:
    it = item(world)
    rows = _csv(client_for("staff_a").get("/classified/export.csv", {"q": "反滲透"}))
    assert [r[0] for r in rows[1:]] == [it.reference_no] and rows[1][-1] == SECRET_TITLE
    export = AuditEntry.objects.get(action="export", actor_label="staff_a")
    assert export.changes["filters"]["q"].startswith("hmac-sha256:") and "反滲透" not in str(export.changes)


def test_approval_queue_and_inventory_csv(world: Any, client_for: Any) -> None:
    it = item(world)
    custody.request(actor=world.users["staff_a"], item=it, kind="photocopy", purpose="會辦", copies=3, due_back=soon())
    rows = _csv(client_for("supervisor_a").get("/classified/queue/approvals.csv"))
    assert rows[1][:6] == [it.reference_no, "機密", "影印", "staff_a-person", "會辦", "3"]
    assert SECRET_TITLE not in str(rows)
    assert AuditEntry.objects.filter(action="export", object_type="classified.custodyrequest").exists()
    assert client_for("staff_b").get("/classified/queue/approvals.csv").status_code == 403
    assert _csv(client_for("head").get("/classified/queue/approvals.csv"))[1][0] == it.reference_no
    inventory = _csv(client_for("ethics").get("/classified/inventory/export.csv", {"location": it.storage_location}))
    assert [r[0] for r in inventory[1:]] == [it.reference_no] and inventory[1][2] == ""
    assert _csv(client_for("supervisor_a").get("/classified/inventory/export.csv", {"location": "別處"}))[1:] == []
    assert AuditEntry.objects.filter(action="export", actor_label="ethics").get().changes["rows"] == 1


def test_custody_calls_over_the_api(world: Any, client_for: Any) -> None:
    a = item(world, level=Level.RESTRICTED, protection_until=date(2027, 1, 1))
    b = item(world, level=Level.SECRET, protection_until=date(2040, 1, 1))
    staff = client_for("staff_a")
    post = lambda c, url, data=None: c.post(url, data=json.dumps(data or {}), content_type="application/json")  # noqa: E731
    combined = post(
        staff,
        "/api/v1/classified/combinations",
        {
            "part_ids": [a.pk, b.pk],
            "unit_id": world.units["a"].pk,
            "title": "合併卷宗",
            "classified_on": "2026-02-01",
            "protection_until": "2040-01-01",
            "classifying_authority": "縣長",
            "storage_location": "櫃 9",
        },
    )
    assert combined.status_code == 201 and combined.json()["level"] == "secret"
    moved = post(staff, f"/api/v1/classified/items/{a.pk}/storage-location", {"storage_location": "櫃 8"})
    assert moved.status_code == 200 and moved.json()["storage_location"] == "櫃 8"
    req = custody.request(actor=world.users["staff_a"], item=a, kind="take_out", purpose="開會", due_back=soon())
    queue = client_for("supervisor_a").get("/api/v1/classified/approvals").json()
    assert [(r["id"], r["reference_no"]) for r in queue["items"]] == [(req.pk, a.reference_no)]
    assert client_for("staff_a").get("/api/v1/classified/approvals").json()["items"] == []  # never one's own
    assert (
        post(
            client_for("supervisor_a"), f"/api/v1/classified/requests/{req.pk}/decision", {"approve": True}
        ).status_code
        == 200
    )
    listed = client_for("supervisor_a").get(f"/api/v1/classified/items/{a.pk}/requests").json()
    assert [r["status"] for r in listed] == ["approved"]
    back = post(staff, f"/api/v1/classified/requests/{req.pk}/return")
    assert back.status_code == 200 and back.json()["status"] == "returned"
    a.refresh_from_db()
    assert a.status == ClassifiedItem.Status.IN_CUSTODY
    check = post(
        client_for("ethics"), "/api/v1/classified/inventory/checks", {"location": "櫃 8", "missing_ids": [a.pk]}
    )
    assert check.status_code == 201 and check.json()["missing"] == [a.reference_no]
    assert InventoryCheck.objects.get().expected == 1
    wrong = post(
        client_for("ethics"), "/api/v1/classified/inventory/checks", {"location": "櫃 8", "missing_ids": [b.pk]}
    )
    assert wrong.status_code == 422
