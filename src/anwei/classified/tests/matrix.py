"""Permission-matrix cases for the classified register. The item's title is restricted: only its custodian
(staff_a, who registered it) may ever see it — in pages, search, export, the queue, inventory and the API. The
title, and what could describe an item without need-to-know (a declassification condition, who classified it,
where it is kept, why its level changed, why a grant was given), are registered in `world.secrets`, so every case
of every app checks that no response shows them to anyone else."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from tests.matrix import Case, api, everyone, page, restricted_text
from tests.personas import World

from anwei.classified import custody, services
from anwei.classified.rules import Level, TransferMethod

from .factories import SECRET_TITLE, item, soon

GRANTED_TITLE = "財政處會辦預算機密文件"  # an item staff_b holds a written grant for
GRANT_REASON = "會辦財政處年度預算編列"
CONDITION = "東部聯外道路工程決標公告後"
AUTHORITY = "交通部公路局局長"
LEVEL_REASON = "配合道路工程決標調降等級"
STORAGE = "工務科保險櫃甲"
INVENTORY_ROLES = frozenset({"ethics", "supervisor_a", "auditor"})  # they list storage locations to check them

VIEWERS_A = frozenset({"ethics", "head", "auditor", "supervisor_a", "staff_a"})  # register access over unit A
REGISTER = {"ethics": 200, "head": 200, "supervisor_a": 200, "staff_a": 200, "staff_b": 200}
LISTERS = {**everyone(403), **dict.fromkeys(["ethics", "head", "auditor", "supervisor_a", "staff_a", "staff_b"], 200)}
ONLY_CUSTODIAN = frozenset({"staff_a"})


def setup_world(world: World) -> None:
    staff_a, staff_b, sup = world.users["staff_a"], world.users["staff_b"], world.users["supervisor_a"]
    it = item(world)
    world.records["item"] = it
    world.records["proposed"] = item(world, proposed=True, classified_on=timezone.localdate() - timedelta(days=3))
    copy_req = custody.request(actor=staff_a, item=it, kind="photocopy", purpose="會辦", copies=1, due_back=soon())
    (world.records["copy"],) = custody.decide(actor=sup, req=copy_req, approve=True)
    world.records["custody_pending"] = custody.request(
        actor=staff_a, item=it, kind="take_out", purpose="開會", due_back=soon()
    )
    out_item = item(world, level="restricted", protection_until=date(2027, 1, 1))
    out = custody.request(actor=staff_a, item=out_item, kind="take_out", purpose="外出", due_back=soon())
    custody.decide(actor=sup, req=out, approve=True)
    world.records["taken_out"] = out
    moving = item(world, protection_until=date(2028, 1, 1))
    world.records["moving"] = moving
    world.records["transfer"] = custody.start_transfer(
        actor=staff_a, item=moving, method=TransferMethod.SEALED_ENVELOPE, expected_by=soon(), to_user=staff_b
    )
    sent_item = item(world, protection_until=date(2029, 1, 1))
    world.records["sent"] = custody.start_transfer(
        actor=staff_a, item=sent_item, method=TransferMethod.LOCKED_BOX, expected_by=soon(), to_user=staff_b
    )
    custody.confirm_sent(actor=staff_a, transfer=world.records["sent"])

    # what nobody without need-to-know may see, on any page or call of any app
    restricted_text(world, SECRET_TITLE, may_see=ONLY_CUSTODIAN)
    restricted_text(world, GRANTED_TITLE, may_see={"staff_a", "staff_b"})
    restricted_text(world, GRANT_REASON, may_see={"staff_a", "staff_b"})
    for text in (CONDITION, AUTHORITY, LEVEL_REASON):
        restricted_text(world, text, may_see=ONLY_CUSTODIAN)
    restricted_text(world, STORAGE, may_see=ONLY_CUSTODIAN | INVENTORY_ROLES)

    granted = item(world, title=GRANTED_TITLE, protection_until=date(2027, 6, 30))
    world.records["classified_granted"] = granted
    world.records["classified_grant"] = services.grant_need_to_know(
        actor=sup, item=granted, user=staff_b, reason=GRANT_REASON
    )
    changed = item(
        world,
        protection_until=None,
        declassification_condition=CONDITION,
        classifying_authority=AUTHORITY,
        storage_location=STORAGE,
    )
    services.change_level(actor=sup, item=changed, reason=LEVEL_REASON, authority=AUTHORITY, to_level=Level.RESTRICTED)
    world.records["classified_changed"] = changed
    abroad = item(world, protection_until=date(2031, 1, 1))
    world.records["classified_external"] = custody.start_transfer(
        actor=staff_a,
        item=abroad,
        method=TransferMethod.DOUBLE_ENVELOPE_REGISTERED,
        expected_by=soon(),
        outside_recipient="法務部廉政署",
    )
    custody.confirm_sent(actor=staff_a, transfer=world.records["classified_external"])


def _secret(world: World) -> str:
    return SECRET_TITLE


def _pk(key: str, suffix: str = "") -> Any:
    return lambda w: f"/classified/{_path(key)}/{w.records[key].pk}/{suffix}"


def _path(key: str) -> str:
    return {
        "custody_pending": "requests",
        "taken_out": "requests",
        "transfer": "transfers",
        "sent": "transfers",
        "copy": "copies",
        "classified_external": "transfers",
    }.get(key, "items")


def _api(path: str) -> Any:
    """An API URL with record ids: "/items/{item}/grants/{classified_grant}" → ids from world.records."""

    def url(w: World) -> str:
        return "/api/v1/classified" + path.format(**{k: getattr(v, "pk", v) for k, v in w.records.items()})

    return url


RECEIPT = {"receipt_no": "廉政署收文第1150001號", "receipt_date": None, "receipt_signed_by": "收發室王科員"}


def _receipt(w: World) -> dict[str, Any]:
    return {**RECEIPT, "receipt_date": timezone.localdate().isoformat()}


def _item_page(suffix: str, statuses: dict[str, int], key: str = "item", **kw: Any) -> Case:
    forbidden_for_viewers = {p: 403 for p in VIEWERS_A}
    return Case(
        f"classified:item_{suffix.rstrip('/')}" if suffix else "classified:item",
        _pk(key, suffix),
        page({**forbidden_for_viewers, **statuses}),
        default=404,
        **kw,
    )


CASES = [
    Case("classified:index", "/classified/", page(LISTERS), secret=_secret, may_see=ONLY_CUSTODIAN),
    Case(
        "classified:index",
        "/classified/?q=反滲透",
        page(LISTERS),
        secret=lambda w: w.records["item"].reference_no,
        may_see=ONLY_CUSTODIAN,
        label="title search finds nothing without need-to-know",
    ),
    Case("classified:export", "/classified/export.csv", page(LISTERS), secret=_secret, may_see=ONLY_CUSTODIAN),
    Case("classified:item_new", "/classified/items/new/", page({**everyone(403), **REGISTER})),
    Case(
        "classified:item_new",
        "/classified/items/new/",
        page({**everyone(403), **REGISTER, "staff_b": 200}),
        method="post",
        data={"title": "x"},
        label="invalid",
    ),
    Case(
        "classified:combine",
        "/classified/combine/",
        page({**everyone(403), **REGISTER}),
        secret=_secret,
        may_see=ONLY_CUSTODIAN,
    ),
    Case(
        "classified:item",
        _pk("item"),
        page(dict.fromkeys(VIEWERS_A, 200)),
        default=404,
        secret=_secret,
        may_see=ONLY_CUSTODIAN,
    ),
    _item_page("print/", {"staff_a": 200}, secret=_secret, may_see=ONLY_CUSTODIAN),
    _item_page("pdf/", {"staff_a": 200}),
    _item_page("decide/", {"head": 302, "supervisor_a": 302}, key="proposed", method="post", data={"approve": "1"}),
    _item_page("level/", {"head": 200, "supervisor_a": 200}),
    _item_page("destroy/", {"head": 200, "supervisor_a": 200, "ethics": 200}),
    _item_page(
        "grant/",
        {"head": 302, "supervisor_a": 302, "staff_a": 302},
        method="post",
        data=lambda w: {"user": w.users["staff_b"].pk, "reason": "書面授權"},
    ),
    Case(
        "classified:item_revoke",
        lambda w: (
            f"/classified/items/{w.records['classified_granted'].pk}/grants/{w.records['classified_grant'].pk}/revoke/"
        ),
        page({**{p: 403 for p in VIEWERS_A}, "staff_b": 403, "head": 302, "supervisor_a": 302, "staff_a": 302}),
        default=404,
        method="post",
        data={"reason": "會辦結束"},
    ),
    Case(
        "classified:item",
        _pk("classified_changed"),
        page(dict.fromkeys(VIEWERS_A, 200)),
        default=404,
        secret=lambda w: CONDITION,
        may_see=ONLY_CUSTODIAN,
        label="condition, authority, location and level-change reason need need-to-know",
    ),
    _item_page("request/", {"staff_a": 200}),
    _item_page("move/", {"staff_a": 302}, method="post", data={"storage_location": "政風處保密櫃"}),
    _item_page("transfer/", {"staff_a": 200}, secret=_secret, may_see=frozenset()),
    Case(
        "classified:copy_return",
        _pk("copy", "return/"),
        page({**{p: 403 for p in VIEWERS_A}, "staff_a": 302}),
        default=404,
        method="post",
        data={},
    ),
    Case(
        "classified:request_decide",
        _pk("custody_pending", "decide/"),
        page({"head": 302, "supervisor_a": 302, "staff_a": 403}),
        default=404,
        method="post",
        data={"approve": "1"},
    ),
    Case(
        "classified:request_return",
        _pk("taken_out", "return/"),
        page({"head": 403, "supervisor_a": 403, "staff_a": 302}),
        default=404,
        method="post",
        data={},
    ),
    Case(
        "classified:transfer_sent",
        _pk("transfer", "sent/"),
        page({"head": 403, "supervisor_a": 403, "staff_a": 302, "staff_b": 403}),
        default=404,
        method="post",
        data={},
    ),
    Case(
        "classified:transfer_received",
        _pk("sent", "received/"),
        page({"head": 403, "supervisor_a": 403, "staff_a": 403, "staff_b": 302}),
        default=404,
        method="post",
        data={},
    ),
    Case(
        "classified:transfer_received",
        _pk("classified_external", "received/"),
        page({"staff_a": 403, "ethics": 200, "head": 200, "supervisor_a": 200}),
        default=404,
        label="outside the agency: the receipt form",
    ),
    Case(
        "classified:transfer_received",
        _pk("classified_external", "received/"),
        page({"staff_a": 403, "ethics": 302, "head": 302, "supervisor_a": 302}),
        default=404,
        method="post",
        data=_receipt,
        label="outside the agency: the receipt, never by the sender",
    ),
    Case(
        "classified:transfer_cancel",
        _pk("transfer", "cancel/"),
        page({"head": 403, "supervisor_a": 403, "staff_a": 302, "staff_b": 403}),
        default=404,
        method="post",
        data={"reason": "收件人有誤"},
    ),
    Case("classified:queue", "/classified/queue/", page(everyone(200)), secret=_secret),
    Case(
        "classified:approvals_export",
        "/classified/queue/approvals.csv",
        page({"head": 200, "supervisor_a": 200}),
        secret=_secret,
    ),
    Case(
        "classified:inventory_export",
        "/classified/inventory/export.csv?location=建設處機密櫃 1",
        page({**everyone(403), "ethics": 200, "supervisor_a": 200, "auditor": 200}),
        secret=_secret,
    ),
    Case(
        "classified:inventory",
        "/classified/inventory/?location=建設處機密櫃 1",
        page({**everyone(403), "ethics": 200, "supervisor_a": 200, "auditor": 200}),
        secret=_secret,
    ),
    Case(
        "classified:inventory_check",
        "/classified/inventory/check/",
        page({**everyone(403), "ethics": 302, "supervisor_a": 302, "auditor": 302}),
        method="post",
        data={"location": "建設處機密櫃 1", "note": "清點無誤"},
    ),
    # API
    Case(
        "GET /api/v1/classified/items",
        "/api/v1/classified/items?q=反滲透",
        api(LISTERS),
        secret=_secret,
        may_see=ONLY_CUSTODIAN,
    ),
    Case(
        "GET /api/v1/classified/items/{item_id}",
        lambda w: f"/api/v1/classified/items/{w.records['item'].pk}",
        api(dict.fromkeys(VIEWERS_A, 200)),
        default=404,
        secret=_secret,
        may_see=ONLY_CUSTODIAN,
    ),
    Case(
        "POST /api/v1/classified/items",
        "/api/v1/classified/items",
        api({**everyone(403), "ethics": 201, "head": 201, "supervisor_a": 201, "staff_a": 201}),
        method="post",
        json=True,
        data=lambda w: {
            "unit_id": w.units["a"].pk,
            "title": "新機密",
            "level": "confidential",
            "classified_on": "2026-03-01",
            "protection_until": "2030-03-01",
            "classifying_authority": "縣長",
            "custodian_id": w.users["staff_a"].pk,
            "storage_location": "建設處機密櫃 2",
        },
    ),
    Case(
        "POST /api/v1/classified/items/{item_id}/requests",
        lambda w: f"/api/v1/classified/items/{w.records['item'].pk}/requests",
        api({**{p: 403 for p in VIEWERS_A}, "staff_a": 201}),
        default=404,
        method="post",
        json=True,
        data=lambda w: {"kind": "copy", "purpose": "會辦", "copies": 2, "due_back": soon().isoformat()},
    ),
    Case(
        "POST /api/v1/classified/requests/{request_id}/decision",
        lambda w: f"/api/v1/classified/requests/{w.records['custody_pending'].pk}/decision",
        api({"head": 200, "supervisor_a": 200, "staff_a": 403}),
        default=404,
        method="post",
        json=True,
        data={"approve": True},
    ),
    Case(
        "POST /api/v1/classified/items/{item_id}/transfers",
        lambda w: f"/api/v1/classified/items/{w.records['item'].pk}/transfers",
        api({**{p: 403 for p in VIEWERS_A}, "staff_a": 201}),
        default=404,
        method="post",
        json=True,
        data=lambda w: {
            "method": "sealed_envelope",
            "expected_by": soon().isoformat(),
            "to_user_id": w.users["staff_b"].pk,
        },
    ),
    Case(
        "POST /api/v1/classified/transfers/{transfer_id}/sent",
        lambda w: f"/api/v1/classified/transfers/{w.records['transfer'].pk}/sent",
        api({"head": 403, "supervisor_a": 403, "staff_a": 200, "staff_b": 403}),
        default=404,
        method="post",
        json=True,
    ),
    Case(
        "POST /api/v1/classified/transfers/{transfer_id}/received",
        lambda w: f"/api/v1/classified/transfers/{w.records['sent'].pk}/received",
        api({"head": 403, "supervisor_a": 403, "staff_a": 403, "staff_b": 200}),
        default=404,
        method="post",
        json=True,
    ),
    Case(
        "POST /api/v1/classified/items/{item_id}/grants",
        lambda w: f"/api/v1/classified/items/{w.records['item'].pk}/grants",
        api({**{p: 403 for p in VIEWERS_A}, "staff_a": 201, "supervisor_a": 201, "head": 201}),
        default=404,
        method="post",
        json=True,
        data=lambda w: {"user_id": w.users["staff_b"].pk, "reason": "書面授權"},
    ),
    Case(
        "POST /api/v1/classified/items/{item_id}/classification-decision",
        lambda w: f"/api/v1/classified/items/{w.records['proposed'].pk}/classification-decision",
        api({**{p: 403 for p in VIEWERS_A}, "supervisor_a": 200, "head": 200}),
        default=404,
        method="post",
        json=True,
        data={"approve": True},
        secret=_secret,
        may_see=ONLY_CUSTODIAN,
    ),
    Case(
        "POST /api/v1/classified/items/{item_id}/level-changes",
        lambda w: f"/api/v1/classified/items/{w.records['item'].pk}/level-changes",
        api({**{p: 403 for p in VIEWERS_A}, "supervisor_a": 201, "head": 201}),
        default=404,
        method="post",
        json=True,
        data={"reason": "工程完工", "authority": "縣長", "declassify": True},
    ),
    Case(
        "POST /api/v1/classified/items/{item_id}/destruction",
        lambda w: f"/api/v1/classified/items/{w.records['copy'].pk}/destruction",
        api({**{p: 403 for p in VIEWERS_A}, "supervisor_a": 201, "head": 201, "ethics": 201}),
        default=404,
        method="post",
        json=True,
        data={"method": "碎紙機銷毀", "reason": "無需使用"},
    ),
    Case(
        "POST /api/v1/classified/copies/{copy_id}/return",
        lambda w: f"/api/v1/classified/copies/{w.records['copy'].pk}/return",
        api({**{p: 403 for p in VIEWERS_A}, "staff_a": 200}),
        default=404,
        method="post",
        json=True,
    ),
    Case(
        "GET /api/v1/classified/items/{item_id}",
        _api("/items/{classified_changed}"),
        api(dict.fromkeys(VIEWERS_A, 200)),
        default=404,
        secret=lambda w: STORAGE,
        may_see=ONLY_CUSTODIAN,
        label="register data only without need-to-know",
    ),
    Case(
        "POST /api/v1/classified/combinations",
        "/api/v1/classified/combinations",
        api({**everyone(403), "ethics": 422, "head": 422, "supervisor_a": 422, "staff_b": 422, "staff_a": 201}),
        method="post",
        json=True,
        data=lambda w: {
            "part_ids": [w.records["item"].pk, w.records["moving"].pk],
            "unit_id": w.units["a"].pk,
            "title": "合併卷宗",
            "classified_on": "2026-03-01",
            "protection_until": "2030-03-01",
            "classifying_authority": "縣長",
            "storage_location": "建設處機密櫃 2",
        },
    ),
    Case(
        "POST /api/v1/classified/items/{item_id}/storage-location",
        _api("/items/{item}/storage-location"),
        api({**{p: 403 for p in VIEWERS_A}, "staff_a": 200}),
        default=404,
        method="post",
        json=True,
        data={"storage_location": "建設處機密櫃 3"},
    ),
    Case(
        "GET /api/v1/classified/items/{item_id}/grants",
        _api("/items/{classified_granted}/grants"),
        api({**{p: 403 for p in VIEWERS_A}, "head": 200, "supervisor_a": 200, "staff_a": 200, "staff_b": 200}),
        default=404,
        secret=lambda w: GRANT_REASON,
        may_see=frozenset({"staff_a", "staff_b"}),
    ),
    Case(
        "POST /api/v1/classified/items/{item_id}/grants/{grant_id}/revocation",
        _api("/items/{classified_granted}/grants/{classified_grant}/revocation"),
        api({**{p: 403 for p in VIEWERS_A}, "staff_b": 403, "head": 200, "supervisor_a": 200, "staff_a": 200}),
        default=404,
        method="post",
        json=True,
        data={"reason": "會辦結束"},
    ),
    Case(
        "GET /api/v1/classified/items/{item_id}/level-changes",
        _api("/items/{classified_changed}/level-changes"),
        api(dict.fromkeys(VIEWERS_A, 200)),
        default=404,
        secret=lambda w: LEVEL_REASON,
        may_see=ONLY_CUSTODIAN,
    ),
    Case(
        "GET /api/v1/classified/items/{item_id}/requests",
        _api("/items/{item}/requests"),
        api(dict.fromkeys(VIEWERS_A, 200)),
        default=404,
        secret=_secret,
        may_see=ONLY_CUSTODIAN,
    ),
    Case(
        "GET /api/v1/classified/items/{item_id}/transfers",
        _api("/items/{moving}/transfers"),
        api(dict.fromkeys(VIEWERS_A, 200)),
        default=404,
        secret=_secret,
        may_see=ONLY_CUSTODIAN,
    ),
    Case("GET /api/v1/classified/approvals", "/api/v1/classified/approvals", api(everyone(200)), secret=_secret),
    Case(
        "POST /api/v1/classified/requests/{request_id}/return",
        _api("/requests/{taken_out}/return"),
        api({"head": 403, "supervisor_a": 403, "staff_a": 200}),
        default=404,
        method="post",
        json=True,
    ),
    Case(
        "POST /api/v1/classified/transfers/{transfer_id}/received",
        _api("/transfers/{classified_external}/received"),
        api({"staff_a": 403, "ethics": 200, "head": 200, "supervisor_a": 200}),
        default=404,
        method="post",
        json=True,
        data=_receipt,
        label="outside the agency: the receipt, never by the sender",
    ),
    Case(
        "POST /api/v1/classified/transfers/{transfer_id}/cancellation",
        _api("/transfers/{transfer}/cancellation"),
        api({"head": 403, "supervisor_a": 403, "staff_a": 200, "staff_b": 403}),
        default=404,
        method="post",
        json=True,
        data={"reason": "收件人有誤"},
    ),
    Case(
        "GET /api/v1/classified/inventory",
        "/api/v1/classified/inventory?location=建設處機密櫃 1",
        api({**everyone(403), "ethics": 200, "supervisor_a": 200, "auditor": 200}),
        secret=_secret,
    ),
    Case(
        "POST /api/v1/classified/inventory/checks",
        "/api/v1/classified/inventory/checks",
        api({**everyone(403), "ethics": 201, "supervisor_a": 201, "auditor": 201}),
        method="post",
        json=True,
        data=lambda w: {"location": "建設處機密櫃 1", "missing_ids": [w.records["item"].pk], "note": "缺一件"},
    ),
]
