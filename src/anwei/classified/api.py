"""The register over the API. `title` and `content` are null unless the caller has need-to-know; every read of
an item is audited, and error messages never name a title."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anwei.accounts.models import User
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.core.schema import IsoDate, IsoDateTime
from anwei.directory.models import Unit

from . import custody, policies, selectors, services
from .models import ClassifiedItem, CustodyRequest, Transfer

router = Router(tags=["classified"])


class CopyOut(Schema):
    id: int
    reference_no: str
    copy_number: int | None
    holder: str
    storage_location: str
    status: str
    due_back: IsoDateTime | None
    returned_at: IsoDateTime | None


class ItemOut(Schema):
    id: int
    reference_no: str
    level: str
    mark: str
    status: str
    classified_on: date
    protection_until: IsoDate | None
    declassification_condition: str
    protection_ends: IsoDate | None
    classifying_authority: str
    unit_id: int
    custodian: str
    storage_location: str
    proposed: bool
    original_id: int | None
    copy_number: int | None
    title: str | None = None
    content: str | None = None


class ItemDetailOut(ItemOut):
    copies: list[CopyOut] = []


def _out(item: ClassifiedItem, readable: bool) -> dict[str, Any]:
    return {
        "id": item.pk,
        "reference_no": item.reference_no,
        "level": item.level,
        "mark": item.mark,
        "status": item.status,
        "classified_on": item.classified_on,
        "protection_until": item.protection_until,
        "declassification_condition": item.declassification_condition,
        "protection_ends": services.protection_ends(item),
        "classifying_authority": item.classifying_authority,
        "unit_id": item.unit_id,
        "custodian": item.custodian.display_name,
        "storage_location": item.storage_location,
        "proposed": item.proposed,
        "original_id": item.original_id,
        "copy_number": item.copy_number,
        "title": item.title if readable else None,
        "content": item.content if readable else None,
    }


class ItemIn(Schema):
    model_config = {"extra": "forbid"}

    unit_id: int
    title: str = Field(min_length=1, max_length=200)
    content: str = ""
    level: str
    classified_on: date
    protection_until: IsoDate | None = None
    declassification_condition: str = Field("", max_length=300)
    classifying_authority: str = Field(min_length=1, max_length=120)
    custodian_id: int
    storage_location: str = Field(min_length=1, max_length=120)
    proposed: bool = False
    reference_no: str = Field("", max_length=60)
    kind: str = ClassifiedItem.Kind.DOCUMENT


class RequestIn(Schema):
    model_config = {"extra": "forbid"}

    kind: str
    purpose: str = Field(min_length=1, max_length=300)
    copies: int = Field(1, ge=1, le=50)
    due_back: IsoDateTime | None = None


class RequestOut(Schema):
    id: int
    item_id: int
    kind: str
    requester_id: int
    purpose: str
    copies: int
    due_back: IsoDateTime | None
    status: str
    decided_by_id: int | None


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
    expected_by: datetime
    to_user_id: int | None = None
    outside_recipient: str = Field("", max_length=200)


class TransferOut(Schema):
    id: int
    item_id: int
    from_user_id: int
    to_user_id: int | None
    outside_recipient: str
    method: str
    expected_by: datetime
    sent_at: IsoDateTime | None
    received_at: IsoDateTime | None


def _copy_out(c: ClassifiedItem) -> dict[str, Any]:
    return {
        "id": c.pk,
        "reference_no": c.reference_no,
        "copy_number": c.copy_number,
        "holder": c.custodian.display_name,
        "storage_location": c.storage_location,
        "status": c.status,
        "due_back": c.due_back,
        "returned_at": c.returned_at,
    }


def _agency_id(request: HttpRequest) -> int:
    return getattr(request.user, "agency_id", None) or 0


def _agency_user(request: HttpRequest, user_id: int, field: str) -> User:
    user = User.objects.filter(pk=user_id, agency_id=_agency_id(request), is_active=True).first()
    if user is None:
        raise BusinessRuleError(_("Unknown person."), field=field)
    return user


class ItemPage(Schema):
    items: list[ItemOut]
    count: int


@router.get("/items", response=ItemPage)
def list_items(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    q: str = "",
    level: str = "",
    status: str = "",
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0),
):
    """The register, newest first: `title` and `content` only where the caller has need-to-know. A search
    matches reference numbers, and titles only among those items."""
    if not policies.items.can(request.user, "classified.view") and not selectors.register(request.user).exists():
        raise NotAllowed()
    qs = selectors.register(request.user, q=q[:80], level=level[:15], status=status[:15])
    items = list(qs[offset : offset + limit])
    readable = {r.item.pk for r in selectors.rows(request.user, items) if r.may_read}
    services.record_listing(actor=request.user, shown=items, titled=readable, how="api")
    return {"items": [_out(i, i.pk in readable) for i in items], "count": qs.count()}


@router.get("/items/{item_id}", response=ItemDetailOut)
def get_item(request: HttpRequest, item_id: int):  # type: ignore[no-untyped-def]
    item = policies.items.get_visible(request.user, item_id)
    services.record_view(actor=request.user, item=item, how="api")
    data = _out(item, policies.items.can_read(request.user, item))
    data["copies"] = [_copy_out(c) for c in selectors.copies_of(item)]
    return data


@router.post("/items", response={201: ItemOut})
def create_item(request: HttpRequest, payload: ItemIn):  # type: ignore[no-untyped-def]
    if not policies.items.can(request.user, "classified.register"):
        raise NotAllowed()
    data = payload.model_dump()
    unit = Unit.objects.filter(pk=data.pop("unit_id"), agency_id=_agency_id(request)).first()
    if unit is None:
        raise BusinessRuleError(_("Unknown unit."), field="unit_id")
    custodian = _agency_user(request, data.pop("custodian_id"), "custodian_id")
    item = services.register_item(actor=request.user, unit=unit, custodian=custodian, **data)
    return Status(201, _out(item, True))


@router.post("/items/{item_id}/requests", response={201: RequestOut})
def create_request(request: HttpRequest, item_id: int, payload: RequestIn):  # type: ignore[no-untyped-def]
    item = policies.items.get_visible(request.user, item_id)
    return Status(201, custody.request(actor=request.user, item=item, **payload.model_dump()))


@router.post("/requests/{request_id}/decision", response=DecisionOut)
def decide_request(request: HttpRequest, request_id: int, payload: DecisionIn):  # type: ignore[no-untyped-def]
    req: CustodyRequest = policies.requests.get_visible(request.user, request_id)
    made = custody.decide(actor=request.user, req=req, approve=payload.approve, note=payload.note)
    req.refresh_from_db()
    return {"request": req, "copies": [_copy_out(c) for c in made]}


@router.post("/items/{item_id}/transfers", response={201: TransferOut})
def create_transfer(request: HttpRequest, item_id: int, payload: TransferIn):  # type: ignore[no-untyped-def]
    item = policies.items.get_visible(request.user, item_id)
    data = payload.model_dump()
    to_user_id = data.pop("to_user_id")
    to_user = _agency_user(request, to_user_id, "to_user_id") if to_user_id else None
    return Status(201, custody.start_transfer(actor=request.user, item=item, to_user=to_user, **data))


@router.post("/transfers/{transfer_id}/sent", response=TransferOut)
def transfer_sent(request: HttpRequest, transfer_id: int) -> Transfer:
    transfer = policies.transfers.get_visible(request.user, transfer_id)
    return custody.confirm_sent(actor=request.user, transfer=transfer)


@router.post("/transfers/{transfer_id}/received", response=TransferOut)
def transfer_received(request: HttpRequest, transfer_id: int) -> Transfer:
    transfer = policies.transfers.get_visible(request.user, transfer_id)
    return custody.confirm_received(actor=request.user, transfer=transfer)


class GrantIn(Schema):
    model_config = {"extra": "forbid"}

    user_id: int
    reason: str = Field(min_length=1, max_length=300)


class GrantOut(Schema):
    id: int
    user_id: int
    reason: str
    granted_by_id: int
    granted_at: datetime


class LevelChangeIn(Schema):
    model_config = {"extra": "forbid"}

    reason: str = Field(min_length=1, max_length=300)
    authority: str = Field(min_length=1, max_length=120)
    to_level: str = ""
    declassify: bool = False
    protection_until: IsoDate | None = None


class LevelChangeOut(Schema):
    id: int
    item_id: int
    from_level: str
    to_level: str
    declassified: bool
    reason: str
    authority: str
    decided_at: datetime


class ClassificationDecisionIn(Schema):
    model_config = {"extra": "forbid"}

    approve: bool


class DestructionIn(Schema):
    model_config = {"extra": "forbid"}

    method: str = Field(min_length=1, max_length=120)
    reason: str = Field(min_length=1, max_length=300)
    witness: str = Field("", max_length=80)


class DestructionOut(Schema):
    id: int
    item_id: int
    original_id: int | None
    method: str
    reason: str
    witness: str
    destroyed_at: datetime


@router.post("/items/{item_id}/grants", response={201: GrantOut})
def grant_need_to_know(request: HttpRequest, item_id: int, payload: GrantIn):  # type: ignore[no-untyped-def]
    """A written need-to-know grant, by the custodian or an authorised supervisor of the owning unit."""
    item = policies.items.get_visible(request.user, item_id)
    if not policies.items.can(request.user, "classified.grant", item):
        raise NotAllowed()
    user = _agency_user(request, payload.user_id, "user_id")
    return Status(201, services.grant_need_to_know(actor=request.user, item=item, user=user, reason=payload.reason))


@router.post("/items/{item_id}/classification-decision", response=ItemOut)
def decide_classification(request: HttpRequest, item_id: int, payload: ClassificationDecisionIn):  # type: ignore[no-untyped-def]
    """Decide a proposed classification (within 30 days of proposal)."""
    item = policies.items.get_visible(request.user, item_id)
    services.decide_classification(actor=request.user, item=item, approve=payload.approve)
    return _out(item, policies.items.can_read(request.user, item))


@router.post("/items/{item_id}/level-changes", response={201: LevelChangeOut})
def change_level(request: HttpRequest, item_id: int, payload: LevelChangeIn):  # type: ignore[no-untyped-def]
    """Change the level or declassify; holders of copies are notified."""
    item = policies.items.get_visible(request.user, item_id)
    return Status(201, services.change_level(actor=request.user, item=item, **payload.model_dump()))


@router.post("/items/{item_id}/destruction", response={201: DestructionOut})
def destroy(request: HttpRequest, item_id: int, payload: DestructionIn):  # type: ignore[no-untyped-def]
    """Record destruction: originals only after declassification; copies at any time."""
    item = policies.items.get_visible(request.user, item_id)
    return Status(201, services.destroy(actor=request.user, item=item, **payload.model_dump()))


@router.post("/copies/{copy_id}/return", response=CopyOut)
def return_copy(request: HttpRequest, copy_id: int):  # type: ignore[no-untyped-def]
    """The custodian of the original records that a copy came back."""
    copy = policies.items.get_visible(request.user, copy_id)
    if copy.original_id is None:
        raise BusinessRuleError(_("This is not a copy."))
    return _copy_out(custody.return_copy(actor=request.user, copy=copy))
