"""The classified register's world for the permission matrix: the records `setup_world` adds, who may see
what, and the helpers the page cases (`matrix.py`) and the API cases (`matrix_api.py`) share."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from tests.matrix import Case, everyone, page, restricted_text
from tests.personas import World

from anwei.classified import custody, declassification, grants, transfers
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
    world.records["transfer"] = transfers.start_transfer(
        actor=staff_a, item=moving, method=TransferMethod.SEALED_ENVELOPE, expected_by=soon(), to_user=staff_b
    )
    sent_item = item(world, protection_until=date(2029, 1, 1))
    world.records["sent"] = transfers.start_transfer(
        actor=staff_a, item=sent_item, method=TransferMethod.LOCKED_BOX, expected_by=soon(), to_user=staff_b
    )
    transfers.confirm_sent(actor=staff_a, transfer=world.records["sent"])

    # what nobody without need-to-know may see, on any page or call of any app
    restricted_text(world, SECRET_TITLE, may_see=ONLY_CUSTODIAN)
    restricted_text(world, GRANTED_TITLE, may_see={"staff_a", "staff_b"})
    restricted_text(world, GRANT_REASON, may_see={"staff_a", "staff_b"})
    for text in (CONDITION, AUTHORITY, LEVEL_REASON):
        restricted_text(world, text, may_see=ONLY_CUSTODIAN)
    restricted_text(world, STORAGE, may_see=ONLY_CUSTODIAN | INVENTORY_ROLES)

    granted = item(world, title=GRANTED_TITLE, protection_until=date(2027, 6, 30))
    world.records["classified_granted"] = granted
    world.records["classified_grant"] = grants.grant_need_to_know(
        actor=sup, item=granted, user=staff_b, reason=GRANT_REASON
    )
    changed = item(
        world,
        protection_until=None,
        declassification_condition=CONDITION,
        classifying_authority=AUTHORITY,
        storage_location=STORAGE,
    )
    declassification.change_level(
        actor=sup, item=changed, reason=LEVEL_REASON, authority=AUTHORITY, to_level=Level.RESTRICTED
    )
    world.records["classified_changed"] = changed
    abroad = item(world, protection_until=date(2031, 1, 1))
    world.records["classified_external"] = transfers.start_transfer(
        actor=staff_a,
        item=abroad,
        method=TransferMethod.DOUBLE_ENVELOPE_REGISTERED,
        expected_by=soon(),
        outside_recipient="法務部廉政署",
    )
    transfers.confirm_sent(actor=staff_a, transfer=world.records["classified_external"])


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
