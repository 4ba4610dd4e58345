"""Custody over the API: copy and take-out requests, their approval queue, returns, transfers (outside the agency
with the returned receipt) and the inventory. Mounted on the classified router (api.py). No answer carries a title
but to a caller with need-to-know; every listing that names items is audited."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from anwei.accounts.actor import actor_of
from anwei.core.errors import NotAllowed
from anwei.core.pagination import Paginated
from anwei.core.schema import IsoDate, IsoDateTime

from . import auditing, commands, policies, selectors
from .api_shared import CopyOut, copy_out, readable_item
from .models import CustodyRequest, InventoryCheck, Transfer

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
def list_item_requests(request: HttpRequest, item_id: int) -> list[CustodyRequest]:
    """The item's copy and take-out requests the caller may see (theirs, the custodian's, an approver's)."""
    item, _readable = readable_item(request, item_id)
    auditing.record_view(actor=request.user, item=item, how="api:requests")
    return list(selectors.requests_of(request.user, item).select_related("item")[:500])


@router.post("/items/{item_id}/requests", response={201: RequestOut})
def create_request(request: HttpRequest, item_id: int, payload: RequestIn) -> Status[CustodyRequest]:
    return Status(201, commands.request_by_id(actor=actor_of(request), item_id=item_id, **payload.model_dump()))


@router.get("/approvals", response=list[RequestOut])
@paginate(Paginated)
def list_approvals(request: HttpRequest):  # type: ignore[no-untyped-def]  # @paginate fills in the response
    """Requests awaiting the caller's approval, oldest first (never the caller's own). Reference numbers, never
    titles."""
    return selectors.pending_approvals(request.user)


@router.post("/requests/{request_id}/decision", response=DecisionOut)
def decide_request(request: HttpRequest, request_id: int, payload: DecisionIn) -> dict[str, Any]:
    made = commands.decide_request_by_id(
        actor=actor_of(request), request_id=request_id, approve=payload.approve, note=payload.note
    )
    req: CustodyRequest = CustodyRequest.objects.select_related("item").get(pk=request_id)
    readable = policies.items.can_read(request.user, req.item)
    return {"request": req, "copies": [copy_out(c, readable) for c in made]}


@router.post("/requests/{request_id}/return", response=RequestOut)
def return_take_out(request: HttpRequest, request_id: int) -> CustodyRequest:
    """The custodian records that a take-out came back."""
    return commands.return_take_out_by_id(actor=actor_of(request), request_id=request_id)


@router.post("/copies/{copy_id}/return", response=CopyOut)
def return_copy(request: HttpRequest, copy_id: int) -> dict[str, Any]:
    """The custodian of the original records that a copy came back."""
    copy = commands.return_copy_by_id(actor=actor_of(request), copy_id=copy_id)
    return copy_out(copy, policies.items.can_read(request.user, copy))


@router.get("/items/{item_id}/transfers", response=list[TransferOut])
def list_item_transfers(request: HttpRequest, item_id: int) -> list[Transfer]:
    """The item's transfers the caller may see (both sides, approvers; outside the agency also the receipt
    recorders)."""
    item, _readable = readable_item(request, item_id)
    auditing.record_view(actor=request.user, item=item, how="api:transfers")
    return list(selectors.transfers_of(request.user, item)[:500])


@router.post("/items/{item_id}/transfers", response={201: TransferOut})
def create_transfer(request: HttpRequest, item_id: int, payload: TransferIn) -> Status[Transfer]:
    return Status(201, commands.start_transfer_by_id(actor=actor_of(request), item_id=item_id, **payload.model_dump()))


@router.post("/transfers/{transfer_id}/sent", response=TransferOut)
def transfer_sent(request: HttpRequest, transfer_id: int) -> Transfer:
    return commands.confirm_sent_by_id(actor=actor_of(request), transfer_id=transfer_id)


@router.post("/transfers/{transfer_id}/received", response=TransferOut)
def transfer_received(request: HttpRequest, transfer_id: int, payload: ReceiptIn) -> Transfer:
    """Inside the agency the recipient confirms (an empty body). Outside it, the returned receipt's number, date
    and signatory, recorded by the custodian's supervisor or the ethics office — never by the sender."""
    return commands.confirm_received_by_id(actor=actor_of(request), transfer_id=transfer_id, **payload.model_dump())


@router.post("/transfers/{transfer_id}/cancellation", response=TransferOut)
def cancel_transfer(request: HttpRequest, transfer_id: int, payload: CancelIn) -> Transfer:
    """The sender withdraws a transfer not yet sent, with the reason."""
    return commands.cancel_transfer_by_id(actor=actor_of(request), transfer_id=transfer_id, reason=payload.reason)


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
def inventory(request: HttpRequest, location: str = "") -> dict[str, Any]:
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
def record_inventory_check(request: HttpRequest, payload: InventoryCheckIn) -> Status[dict[str, Any]]:
    """Record a physical check of a storage location: the items missing (by id, among those kept there)."""
    check = commands.record_inventory_check(
        actor=actor_of(request), storage_location=payload.location, missing_ids=payload.missing_ids, note=payload.note
    )
    return Status(201, check_out(check))
