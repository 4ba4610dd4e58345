"""The register over the API: items, combining, storage, need-to-know grants, level changes and destruction
(custody calls are in api_custody.py, on the same router). `title`, `content` and whatever could describe an item
(its declassification condition, storage location, classifying authority, the reasons of its level changes) are
null unless the caller has need-to-know; every read of an item is audited, and error messages never name a title."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.params.functions import Query  # the typed function behind ninja.Query(...)

from anwei.accounts.actor import actor_of
from anwei.accounts.models import AccessGrant
from anwei.core.errors import NotAllowed
from anwei.core.schema import IsoDate, IsoDateTime

from . import api_custody, auditing, commands, policies, selectors, services
from .api_shared import CopyOut, copy_out, readable_item
from .models import ClassifiedItem, DestructionRecord, LevelChange

router = Router(tags=["classified"])


class ItemOut(Schema):
    id: int
    reference_no: str
    level: str
    mark: str
    status: str
    classified_on: date
    protection_until: IsoDate | None
    declassification_condition: str | None
    protection_ends: IsoDate | None
    classifying_authority: str | None
    unit_id: int
    custodian: str
    storage_location: str | None
    storage_outside_premises: bool | None = None
    proposed: bool
    original_id: int | None
    copy_number: int | None
    title: str | None = None
    content: str | None = None


class ItemDetailOut(ItemOut):
    copies: list[CopyOut] = []


def item_out(item: ClassifiedItem, readable: bool) -> dict[str, Any]:
    """An item as the caller may see it: without need-to-know, register data only."""
    return {
        "id": item.pk,
        "reference_no": item.reference_no,
        "level": item.level,
        "mark": item.mark,
        "status": item.status,
        "classified_on": item.classified_on,
        "protection_until": item.protection_until,
        "declassification_condition": item.declassification_condition if readable else None,
        "protection_ends": services.protection_ends(item),
        "classifying_authority": item.classifying_authority if readable else None,
        "unit_id": item.unit_id,
        "custodian": item.custodian.display_name,
        "storage_location": item.storage_location if readable else None,
        "storage_outside_premises": item.storage_outside_premises if readable else None,
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


class CombineIn(Schema):
    model_config = {"extra": "forbid"}

    part_ids: list[int] = Field(min_length=2, max_length=100)
    unit_id: int
    title: str = Field(min_length=1, max_length=200)
    classified_on: IsoDate
    protection_until: IsoDate | None = None
    declassification_condition: str = Field("", max_length=300)
    classifying_authority: str = Field(min_length=1, max_length=120)
    storage_location: str = Field(min_length=1, max_length=120)


class StorageIn(Schema):
    model_config = {"extra": "forbid"}

    storage_location: str = Field(min_length=1, max_length=120)
    outside_premises: bool = False  # 機關外 (e.g. 承辦人住處): only on an approved take-out


class ItemPage(Schema):
    items: list[ItemOut]
    count: int


@router.get("/items", response=ItemPage)
def list_items(
    request: HttpRequest,
    q: str = "",
    level: str = "",
    status: str = "",
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> dict[str, Any]:
    """The register, newest first: `title`, `content` and what could describe an item only where the caller has
    need-to-know. A search matches reference numbers, and titles only among those items."""
    if not policies.items.can(request.user, "classified.view") and not selectors.register(request.user).exists():
        raise NotAllowed()
    qs = selectors.register(request.user, q=q[:80], level=level[:15], status=status[:15])
    items = list(qs[offset : offset + limit])
    readable = {r.item.pk for r in selectors.rows(request.user, items) if r.may_read}
    auditing.record_listing(actor=request.user, shown=items, titled=readable, how="api")
    return {"items": [item_out(i, i.pk in readable) for i in items], "count": qs.count()}


@router.get("/items/{item_id}", response=ItemDetailOut)
def get_item(request: HttpRequest, item_id: int) -> dict[str, Any]:
    item, readable = readable_item(request, item_id)
    auditing.record_view(actor=request.user, item=item, how="api")
    data = item_out(item, readable)
    data["copies"] = [copy_out(c, readable) for c in selectors.copies_of(item)]
    return data


@router.post("/items", response={201: ItemOut})
def create_item(request: HttpRequest, payload: ItemIn) -> Status[dict[str, Any]]:
    item = commands.register_item_in_unit(actor=actor_of(request), **payload.model_dump())
    return Status(201, item_out(item, True))


@router.post("/combinations", response={201: ItemOut})
def combine_items(request: HttpRequest, payload: CombineIn) -> Status[dict[str, Any]]:
    """Combine items whose titles the caller may see into a new one, held by the caller: it takes the highest of
    their levels."""
    item = commands.combine_items_by_id(actor=actor_of(request), **payload.model_dump())
    return Status(201, item_out(item, True))


@router.post("/items/{item_id}/storage-location", response=ItemOut)
def move_item(request: HttpRequest, item_id: int, payload: StorageIn) -> dict[str, Any]:
    """The custodian records where the item is kept now, and whether it is outside the agency's premises."""
    item = commands.move_by_id(
        actor=actor_of(request),
        item_id=item_id,
        storage_location=payload.storage_location,
        outside_premises=payload.outside_premises,
    )
    return item_out(item, policies.items.can_read(request.user, item))


class GrantIn(Schema):
    model_config = {"extra": "forbid"}

    user_id: int
    reason: str = Field(min_length=1, max_length=300)
    expires_at: IsoDateTime | None = None


class GrantOut(Schema):
    id: int
    user_id: int
    reason: str | None
    granted_by_id: int
    granted_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class ReasonIn(Schema):
    model_config = {"extra": "forbid"}

    reason: str = Field(min_length=1, max_length=300)


def grant_out(g: AccessGrant, readable: bool) -> dict[str, Any]:
    return {
        "id": g.pk,
        "user_id": g.user_id,
        "reason": g.reason if readable else None,
        "granted_by_id": g.granted_by_id,
        "granted_at": g.granted_at,
        "expires_at": g.expires_at,
        "revoked_at": g.revoked_at,
    }


@router.get("/items/{item_id}/grants", response=list[GrantOut])
def list_grants(request: HttpRequest, item_id: int) -> list[dict[str, Any]]:
    """The written grants in force, for those who may grant and those with need-to-know (the reasons only for
    the latter)."""
    item, readable = readable_item(request, item_id)
    if not readable and not policies.items.can(request.user, "classified.grant", item):
        raise NotAllowed()
    return [grant_out(g, readable) for g in selectors.grants_of(item)[:500]]


@router.post("/items/{item_id}/grants", response={201: GrantOut})
def grant_need_to_know(request: HttpRequest, item_id: int, payload: GrantIn) -> Status[dict[str, Any]]:
    """A written need-to-know grant, by the custodian or an authorised supervisor of the owning unit — to someone
    else, never to oneself; `expires_at` optional."""
    grant = commands.grant_need_to_know_by_id(
        actor=actor_of(request),
        item_id=item_id,
        user_id=payload.user_id,
        reason=payload.reason,
        expires_at=payload.expires_at,
    )
    item = policies.items.get_visible(request.user, item_id)
    return Status(201, grant_out(grant, policies.items.can_read(request.user, item)))


@router.post("/items/{item_id}/grants/{grant_id}/revocation", response=GrantOut)
def revoke_need_to_know(request: HttpRequest, item_id: int, grant_id: int, payload: ReasonIn) -> dict[str, Any]:
    """Withdraw a written grant in force, with the reason (audited)."""
    grant = commands.revoke_need_to_know_by_id(
        actor=actor_of(request), item_id=item_id, grant_id=grant_id, reason=payload.reason
    )
    item = policies.items.get_visible(request.user, item_id)
    return grant_out(grant, policies.items.can_read(request.user, item))


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
    reason: str | None
    authority: str | None
    decided_at: datetime


def level_change_out(ch: LevelChange, readable: bool) -> dict[str, Any]:
    return {
        "id": ch.pk,
        "item_id": ch.item_id,
        "from_level": ch.from_level,
        "to_level": ch.to_level,
        "declassified": ch.declassified,
        "reason": ch.reason if readable else None,
        "authority": ch.authority if readable else None,
        "decided_at": ch.decided_at,
    }


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


@router.post("/items/{item_id}/classification-decision", response=ItemOut)
def decide_classification(request: HttpRequest, item_id: int, payload: ClassificationDecisionIn) -> dict[str, Any]:
    """Decide a proposed classification, within the time the rule set in force on its classification date allows
    (see `decision_due` on the item's page; 國家機密保護法第6條)."""
    item = commands.decide_classification_by_id(actor=actor_of(request), item_id=item_id, approve=payload.approve)
    return item_out(item, policies.items.can_read(request.user, item))


@router.get("/items/{item_id}/level-changes", response=list[LevelChangeOut])
def list_level_changes(request: HttpRequest, item_id: int) -> list[dict[str, Any]]:
    """The item's level changes and declassification; reason and authority only with need-to-know."""
    item, readable = readable_item(request, item_id)
    auditing.record_view(actor=request.user, item=item, how="api:level-changes")
    return [level_change_out(ch, readable) for ch in selectors.level_changes_of(item)[:500]]


@router.post("/items/{item_id}/level-changes", response={201: LevelChangeOut})
def change_level(request: HttpRequest, item_id: int, payload: LevelChangeIn) -> Status[dict[str, Any]]:
    """Change the level or declassify; holders of copies are notified."""
    change = commands.change_level_by_id(actor=actor_of(request), item_id=item_id, **payload.model_dump())
    return Status(201, level_change_out(change, policies.items.can_read(request.user, change.item)))


@router.post("/items/{item_id}/destruction", response={201: DestructionOut})
def destroy(request: HttpRequest, item_id: int, payload: DestructionIn) -> Status[DestructionRecord]:
    """Record destruction: originals only after declassification; copies at any time."""
    return Status(201, commands.destroy_by_id(actor=actor_of(request), item_id=item_id, **payload.model_dump()))


router.add_router("", api_custody.router)  # custody calls, on the same paths under /api/v1/classified/
