"""The register's writes as a page and the API both ask for them: by key. Each loads what the keys name — items,
requests and transfers through the policies' `get_visible` (404 alike for "does not exist" and "not yours"),
people and units within the caller's agency — and hands them to the write in its topic's module (services.py,
declassification.py, grants.py, storage.py, custody.py, transfers.py), where the rules and the permission checks
live. Pages and API operations call these, with `actor_of(request)`; a form's choice is passed by its key, as the
API passes it."""

from datetime import date, datetime

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.accounts.models import AccessGrant, User
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.directory.models import Unit

from . import custody, declassification, grants, policies, selectors, services, storage, transfers
from .models import ClassifiedItem, CustodyRequest, DestructionRecord, InventoryCheck, LevelChange, Transfer


def agency_user(actor: Actor, user_id: int, field: str) -> User:
    """An active user of the caller's agency, or a broken rule on `field`."""
    user = User.objects.filter(pk=user_id, agency_id=actor.agency_id or 0, is_active=True).first()
    if user is None:
        raise BusinessRuleError(_("Unknown person."), field=field)
    return user


def agency_unit(actor: Actor, unit_id: int, field: str = "unit_id") -> Unit:
    """A unit of the caller's agency, or a broken rule on `field`."""
    unit = Unit.objects.filter(pk=unit_id, agency_id=actor.agency_id or 0).first()
    if unit is None:
        raise BusinessRuleError(_("Unknown unit."), field=field)
    return unit


def _item(actor: Actor, item_id: int) -> ClassifiedItem:
    item: ClassifiedItem = policies.items.get_visible(actor, item_id)
    return item


# --- the register -----------------------------------------------------------------------------------------------


@write_service
@transaction.atomic
def register_item_in_unit(
    *,
    actor: Actor,
    unit_id: int,
    custodian_id: int,
    title: str,
    level: str,
    classified_on: date,
    classifying_authority: str,
    storage_location: str,
    protection_until: date | None = None,
    declassification_condition: str = "",
    proposed: bool = False,
    reference_no: str = "",
    content: str = "",
    kind: str = ClassifiedItem.Kind.DOCUMENT,
) -> ClassifiedItem:
    if not policies.items.can(actor, "classified.register"):
        raise NotAllowed()
    return services.register_item(
        actor=actor,
        unit=agency_unit(actor, unit_id),
        custodian=agency_user(actor, custodian_id, "custodian_id"),
        title=title,
        level=level,
        classified_on=classified_on,
        classifying_authority=classifying_authority,
        storage_location=storage_location,
        protection_until=protection_until,
        declassification_condition=declassification_condition,
        proposed=proposed,
        reference_no=reference_no,
        content=content,
        kind=kind,
    )


@write_service
@transaction.atomic
def combine_items_by_id(
    *,
    actor: Actor,
    part_ids: list[int],
    unit_id: int,
    title: str,
    classified_on: date,
    classifying_authority: str,
    storage_location: str,
    protection_until: date | None = None,
    declassification_condition: str = "",
) -> ClassifiedItem:
    """Combine items whose titles the caller may see into a new one, held by the caller."""
    if not policies.items.can(actor, "classified.register") or actor.user is None:
        raise NotAllowed()
    ids = set(part_ids)
    parts = list(selectors.combinable(actor).filter(pk__in=ids))
    if len(parts) != len(ids):
        raise BusinessRuleError(_("Choose items you may combine."), field="part_ids")
    return services.combine_items(
        actor=actor,
        parts=parts,
        unit=agency_unit(actor, unit_id),
        title=title,
        classified_on=classified_on,
        classifying_authority=classifying_authority,
        custodian=actor.user,
        storage_location=storage_location,
        protection_until=protection_until,
        declassification_condition=declassification_condition,
    )


@write_service
def decide_classification_by_id(*, actor: Actor, item_id: int, approve: bool, note: str = "") -> ClassifiedItem:
    return services.decide_classification(actor=actor, item=_item(actor, item_id), approve=approve, note=note)


@write_service
def move_by_id(*, actor: Actor, item_id: int, storage_location: str, outside_premises: bool = False) -> ClassifiedItem:
    return storage.move(
        actor=actor, item=_item(actor, item_id), storage_location=storage_location, outside_premises=outside_premises
    )


@write_service
def change_level_by_id(
    *,
    actor: Actor,
    item_id: int,
    reason: str,
    authority: str,
    to_level: str = "",
    declassify: bool = False,
    protection_until: date | None = None,
) -> LevelChange:
    return declassification.change_level(
        actor=actor,
        item=_item(actor, item_id),
        reason=reason,
        authority=authority,
        to_level=to_level,
        declassify=declassify,
        protection_until=protection_until,
    )


@write_service
def destroy_by_id(*, actor: Actor, item_id: int, method: str, reason: str, witness: str = "") -> DestructionRecord:
    return declassification.destroy(
        actor=actor, item=_item(actor, item_id), method=method, reason=reason, witness=witness
    )


@write_service
@transaction.atomic
def grant_need_to_know_by_id(
    *, actor: Actor, item_id: int, user_id: int, reason: str, expires_at: datetime | None = None
) -> AccessGrant:
    item = _item(actor, item_id)
    if not policies.items.can(actor, "classified.grant", item):
        raise NotAllowed()  # before saying anything of the person named
    user = agency_user(actor, user_id, "user_id")
    return grants.grant_need_to_know(actor=actor, item=item, user=user, reason=reason, expires_at=expires_at)


@write_service
@transaction.atomic
def revoke_need_to_know_by_id(*, actor: Actor, item_id: int, grant_id: int, reason: str) -> AccessGrant:
    item = _item(actor, item_id)
    if not policies.items.can(actor, "classified.grant", item):
        raise NotAllowed()
    grant = selectors.grants_of(item).filter(pk=grant_id).first()
    if grant is None:
        raise Http404(_("Not found."))
    return grants.revoke_need_to_know(actor=actor, item=item, grant=grant, reason=reason)


@write_service
@transaction.atomic
def record_inventory_check(
    *, actor: Actor, storage_location: str, missing_ids: list[int], note: str = ""
) -> InventoryCheck:
    """A physical check of a storage location: the items missing, by key, among those kept there."""
    if not policies.items.can(actor, "classified.inventory"):
        raise NotAllowed()
    expected = list(selectors.at_location(actor, storage_location))
    if not expected:
        raise BusinessRuleError(_("Choose a storage location with items."), field="location")
    by_id: dict[int, ClassifiedItem] = {i.pk: i for i in expected}
    if any(pk not in by_id for pk in missing_ids):
        raise BusinessRuleError(_("Only items kept at this location can be missing from it."), field="missing_ids")
    return storage.record_inventory(
        actor=actor,
        agency_id=expected[0].agency_id,
        storage_location=storage_location,
        expected=expected,
        missing=[by_id[pk] for pk in dict.fromkeys(missing_ids)],
        note=note,
    )


# --- custody ----------------------------------------------------------------------------------------------------


@write_service
def request_by_id(
    *, actor: Actor, item_id: int, kind: str, purpose: str, copies: int = 1, due_back: datetime | None = None
) -> CustodyRequest:
    return custody.request(
        actor=actor, item=_item(actor, item_id), kind=kind, purpose=purpose, copies=copies, due_back=due_back
    )


@write_service
def decide_request_by_id(*, actor: Actor, request_id: int, approve: bool, note: str = "") -> list[ClassifiedItem]:
    req: CustodyRequest = policies.requests.get_visible(actor, request_id)
    return custody.decide(actor=actor, req=req, approve=approve, note=note)


@write_service
def return_take_out_by_id(*, actor: Actor, request_id: int) -> CustodyRequest:
    req: CustodyRequest = policies.requests.get_visible(actor, request_id)
    return custody.return_take_out(actor=actor, req=req)


@write_service
def return_copy_by_id(*, actor: Actor, copy_id: int, storage_location: str = "") -> ClassifiedItem:
    copy = _item(actor, copy_id)
    if copy.original_id is None:
        raise BusinessRuleError(_("This is not a copy."))
    return custody.return_copy(actor=actor, copy=copy, storage_location=storage_location)


@write_service
@transaction.atomic
def start_transfer_by_id(
    *,
    actor: Actor,
    item_id: int,
    method: str,
    expected_by: datetime,
    to_user_id: int | None = None,
    outside_recipient: str = "",
) -> Transfer:
    item = _item(actor, item_id)
    to_user = agency_user(actor, to_user_id, "to_user_id") if to_user_id else None
    return transfers.start_transfer(
        actor=actor,
        item=item,
        method=method,
        expected_by=expected_by,
        to_user=to_user,
        outside_recipient=outside_recipient,
    )


def _transfer(actor: Actor, transfer_id: int) -> Transfer:
    transfer: Transfer = policies.transfers.get_visible(actor, transfer_id)
    return transfer


@write_service
def confirm_sent_by_id(*, actor: Actor, transfer_id: int) -> Transfer:
    return transfers.confirm_sent(actor=actor, transfer=_transfer(actor, transfer_id))


@write_service
def confirm_received_by_id(
    *,
    actor: Actor,
    transfer_id: int,
    receipt_no: str = "",
    receipt_date: date | None = None,
    receipt_signed_by: str = "",
) -> Transfer:
    return transfers.confirm_received(
        actor=actor,
        transfer=_transfer(actor, transfer_id),
        receipt_no=receipt_no,
        receipt_date=receipt_date,
        receipt_signed_by=receipt_signed_by,
    )


@write_service
def cancel_transfer_by_id(*, actor: Actor, transfer_id: int, reason: str) -> Transfer:
    return transfers.cancel_transfer(actor=actor, transfer=_transfer(actor, transfer_id), reason=reason)
