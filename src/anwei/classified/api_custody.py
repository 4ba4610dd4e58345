"""Custody over the API: copy and take-out requests, their approval queue, returns, transfers (outside the agency
with the returned receipt) and the inventory. Mounted on the classified router (api.py). No answer carries a title
but to a caller with need-to-know; every listing that names items is audited."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.core.pagination import Paginated
from anwei.core.schema import IsoDate, IsoDateTime

from . import auditing, custody, policies, selectors, services
from .api_shared import CopyOut, agency_user, copy_out, readable_item
from .models import ClassifiedItem, CustodyRequest, InventoryCheck, Transfer

router = Router(tags=["classified"])


class RequestIn(Schema):
    model_config = {"extra": "forbid"}

    kind: str
    purpose: str = Field(min_length=1, max_length=300)
    copies: int = Field(1, ge=1, le=50)
    due_back: IsoDateTime | None = None


class RequestOut(Schema):
    id: int
    item_id: int
    reference_no: str
    kind: str
    requester_id: int
    purpose: str
    copies: int
    due_back: IsoDateTime | None
    status: str
    requested_at: datetime
    decided_by_id: int | None
    returned_at: IsoDateTime | None

    @staticmethod
    def resolve_reference_no(obj: CustodyRequest) -> str:
        return obj.item.reference_no


class DecisionIn(Schema):
    model_config = {"extra": "forbid"}

    approve: bool
    note: str = Field("", max_length=300)


class DecisionOut(Schema):
    request: RequestOut
    copies: list[CopyOut]


class TransferIn(Schema):
    model_config = {"extra": "forbid"}

    method: str
    expected_by: IsoDateTime
    to_user_id: int | None = None
    outside_recipient: str = Field("", max_length=200)


class TransferOut(Schema):
    id: int
    item_id: int
    from_user_id: int
    to_user_id: int | None
    to_unit_id: int | None
    outside_recipient: str
    method: str
    expected_by: datetime
    sent_at: IsoDateTime | None
    received_at: IsoDateTime | None
    received_by_id: int | None
    receipt_no: str
    receipt_date: IsoDate | None
    receipt_signed_by: str
    cancelled_at: IsoDateTime | None


class ReceiptIn(Schema):
    """Outside the agency: the returned receipt (回執), recorded by someone other than the sender. Inside the
    agency the recipient confirms with an empty body."""

    model_config = {"extra": "forbid"}

    receipt_no: str = Field("", max_length=60)
    receipt_date: IsoDate | None = None
    receipt_signed_by: str = Field("", max_length=80)


class CancelIn(Schema):
    model_config = {"extra": "forbid"}

    reason: str = Field(min_length=1, max_length=300)


@router.get("/items/{item_id}/requests", response=list[RequestOut])
def list_item_requests(request: HttpRequest, item_id: int):  # type: ignore[no-untyped-def]
    """The item's copy and take-out requests the caller may see (theirs, the custodian's, an approver's)."""
    item, _readable = readable_item(request, item_id)
    auditing.record_view(actor=request.user, item=item, how="api:requests")
    return list(selectors.requests_of(request.user, item).select_related("item")[:500])


@router.post("/items/{item_id}/requests", response={201: RequestOut})
def create_request(request: HttpRequest, item_id: int, payload: RequestIn):  # type: ignore[no-untyped-def]
    item = policies.items.get_visible(request.user, item_id)
    return Status(201, custody.request(actor=request.user, item=item, **payload.model_dump()))


@router.get("/approvals", response=list[RequestOut])
@paginate(Paginated)
def list_approvals(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Requests awaiting the caller's approval, oldest first (never the caller's own). Reference numbers, never
    titles."""
    return selectors.pending_approvals(request.user)


@router.post("/requests/{request_id}/decision", response=DecisionOut)
def decide_request(request: HttpRequest, request_id: int, payload: DecisionIn):  # type: ignore[no-untyped-def]
    req: CustodyRequest = policies.requests.get_visible(request.user, request_id)
    made = custody.decide(actor=request.user, req=req, approve=payload.approve, note=payload.note)
    req.refresh_from_db()
    readable = policies.items.can_read(request.user, req.item)
    return {"request": req, "copies": [copy_out(c, readable) for c in made]}


@router.post("/requests/{request_id}/return", response=RequestOut)
def return_take_out(request: HttpRequest, request_id: int):  # type: ignore[no-untyped-def]
    """The custodian records that a take-out came back."""
    req: CustodyRequest = policies.requests.get_visible(request.user, request_id)
    return custody.return_take_out(actor=request.user, req=req)


@router.post("/copies/{copy_id}/return", response=CopyOut)
def return_copy(request: HttpRequest, copy_id: int):  # type: ignore[no-untyped-def]
    """The custodian of the original records that a copy came back."""
    copy = policies.items.get_visible(request.user, copy_id)
    if copy.original_id is None:
        raise BusinessRuleError(_("This is not a copy."))
    copy = custody.return_copy(actor=request.user, copy=copy)
    return copy_out(copy, policies.items.can_read(request.user, copy))


@router.get("/items/{item_id}/transfers", response=list[TransferOut])
def list_item_transfers(request: HttpRequest, item_id: int):  # type: ignore[no-untyped-def]
    """The item's transfers the caller may see (both sides, approvers; outside the agency also the receipt
    recorders)."""
    item, _readable = readable_item(request, item_id)
    auditing.record_view(actor=request.user, item=item, how="api:transfers")
    return list(selectors.transfers_of(request.user, item)[:500])


@router.post("/items/{item_id}/transfers", response={201: TransferOut})
def create_transfer(request: HttpRequest, item_id: int, payload: TransferIn):  # type: ignore[no-untyped-def]
    item = policies.items.get_visible(request.user, item_id)
    data = payload.model_dump()
    to_user_id = data.pop("to_user_id")
    to_user = agency_user(request, to_user_id, "to_user_id") if to_user_id else None
    return Status(201, custody.start_transfer(actor=request.user, item=item, to_user=to_user, **data))


@router.post("/transfers/{transfer_id}/sent", response=TransferOut)
def transfer_sent(request: HttpRequest, transfer_id: int) -> Transfer:
    transfer = policies.transfers.get_visible(request.user, transfer_id)
    return custody.confirm_sent(actor=request.user, transfer=transfer)


@router.post("/transfers/{transfer_id}/received", response=TransferOut)
def transfer_received(request: HttpRequest, transfer_id: int, payload: ReceiptIn) -> Transfer:
    """Inside the agency the recipient confirms (an empty body). Outside it, the returned receipt's number, date
    and signatory, recorded by the custodian's supervisor or the ethics office — never by the sender."""
    transfer = policies.transfers.get_visible(request.user, transfer_id)
    return custody.confirm_received(actor=request.user, transfer=transfer, **payload.model_dump())


@router.post("/transfers/{transfer_id}/cancellation", response=TransferOut)
def cancel_transfer(request: HttpRequest, transfer_id: int, payload: CancelIn) -> Transfer:
    """The sender withdraws a transfer not yet sent, with the reason."""
    transfer = policies.transfers.get_visible(request.user, transfer_id)
    return custody.cancel_transfer(actor=request.user, transfer=transfer, reason=payload.reason)


class InventoryItemOut(Schema):
    id: int
    reference_no: str
    level: str
    mark: str
    status: str
    custodian: str
    title: str | None


class InventoryCheckOut(Schema):
    id: int
    storage_location: str
    checked_by_id: int
    checked_at: datetime
    expected: int
    missing: list[str]
    note: str


def check_out(c: InventoryCheck) -> dict[str, Any]:
    return {
        "id": c.pk,
        "storage_location": c.storage_location,
        "checked_by_id": c.checked_by_id,
        "checked_at": c.checked_at,
        "expected": c.expected,
        "missing": [m.reference_no for m in c.missing.all()],
        "note": c.note,
    }


class InventoryOut(Schema):
    locations: list[str]
    location: str
    items: list[InventoryItemOut]
    checks: list[InventoryCheckOut]


class InventoryCheckIn(Schema):
    model_config = {"extra": "forbid"}

    location: str = Field(min_length=1, max_length=120)
    missing_ids: list[int] = Field(default_factory=list, max_length=5000)
    note: str = Field("", max_length=2000)


@router.get("/inventory", response=InventoryOut)
def inventory(request: HttpRequest, location: str = ""):  # type: ignore[no-untyped-def]
    """The storage locations; with `location`, the items kept there (titles only with need-to-know; audited) and
    the checks recorded there in the caller's agency."""
    if not policies.items.can(request.user, "classified.inventory"):
        raise NotAllowed()
    location = location[:120]
    data: dict[str, Any] = {
        "locations": selectors.storage_locations(request.user),
        "location": location,
        "items": [],
        "checks": [],
    }
    if location:
        items = list(selectors.at_location(request.user, location)[:5000])
        rows = selectors.rows(request.user, items)
        auditing.record_listing(
            actor=request.user, shown=items, titled={r.item.pk for r in rows if r.may_read}, how="api:inventory"
        )
        data["items"] = [
            {
                "id": r.item.pk,
                "reference_no": r.item.reference_no,
                "level": r.item.level,
                "mark": r.item.mark,
                "status": r.item.status,
                "custodian": r.item.custodian.display_name,
                "title": r.title,
            }
            for r in rows
        ]
        data["checks"] = [check_out(c) for c in selectors.inventory_checks(request.user, location)[:10]]
    return data


@router.post("/inventory/checks", response={201: InventoryCheckOut})
def record_inventory_check(request: HttpRequest, payload: InventoryCheckIn):  # type: ignore[no-untyped-def]
    """Record a physical check of a storage location: the items missing (by id, among those kept there)."""
    if not policies.items.can(request.user, "classified.inventory"):
        raise NotAllowed()
    expected = list(selectors.at_location(request.user, payload.location))
    if not expected:
        raise BusinessRuleError(_("Choose a storage location with items."), field="location")
    by_id: dict[int, ClassifiedItem] = {i.pk: i for i in expected}
    if any(pk not in by_id for pk in payload.missing_ids):
        raise BusinessRuleError(_("Only items kept at this location can be missing from it."), field="missing_ids")
    check = services.record_inventory(
        actor=request.user,
        agency_id=expected[0].agency_id,
        storage_location=payload.location,
        expected=expected,
        missing=[by_id[pk] for pk in dict.fromkeys(payload.missing_ids)],
        note=payload.note,
    )
    return Status(201, check_out(check))
