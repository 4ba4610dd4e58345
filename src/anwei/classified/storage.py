"""Where a register item is kept (存放處所), and the rules on changing it.

A storage place is inside the agency's premises (a safe, a locked cabinet, the registry) or outside them (承辦人住處,
another building, a hotel on a trip): the custodian says which when recording the place, and the register keeps it in
`ClassifiedItem.storage_outside_premises`. Keeping an item outside the premises needs a take-out (攜出) approved for it
and not yet returned; without one the change is refused. Every change of place — inside or outside — is told to the
custodian's unit supervisors and the ethics office, so that no item moves unseen.

The writes here: the custodian records the place (`move`); an inventory check of a place records what was missing
(`record_inventory`). Each in one transaction with its audit entry; the place itself is sealed on the audit log."""

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, write_service
from anwei.accounts.models import User
from anwei.accounts.roles import Role
from anwei.audit import services as audit
from anwei.core.errors import BusinessRuleError, NotAllowed
from anwei.notifications.services import notify

from . import auditing, policies
from .models import ClassifiedItem, CustodyRequest, InventoryCheck
from .services import GONE, ethics_officers, locked, refuse_while_out, signed_in


def approved_take_out(item: ClassifiedItem) -> CustodyRequest | None:
    """The take-out of this item approved and not yet returned, if any."""
    return CustodyRequest.objects.filter(
        item_id=item.pk, kind=CustodyRequest.Kind.TAKE_OUT, status=CustodyRequest.Status.APPROVED
    ).first()


def may_move(item: ClassifiedItem) -> bool:
    """Whether the custodian may record a place now: in custody, or out on an approved take-out (where it is kept
    outside the premises is recorded then)."""
    if item.status == ClassifiedItem.Status.IN_CUSTODY:
        return True
    return item.status == ClassifiedItem.Status.ON_LOAN and approved_take_out(item) is not None


def must_come_inside(item: ClassifiedItem) -> bool:
    """Whether the register still shows a place outside the premises for an item back in custody (its take-out is
    over): the custodian is asked to record where it is kept now."""
    return item.storage_outside_premises and item.status == ClassifiedItem.Status.IN_CUSTODY


def check_place(item: ClassifiedItem, *, outside_premises: bool) -> None:
    """Refuse a place outside the premises without an approved take-out; refuse a move while out otherwise."""
    take_out = approved_take_out(item)
    if outside_premises and take_out is None:
        raise BusinessRuleError(
            _(
                "%(mark)s items may be kept outside the agency's premises only on an approved take-out (攜出): "
                "request a take-out and have it approved first."
            )
            % {"mark": item.mark},
            field="storage_outside_premises",
            code="take_out_needed",
        )
    if item.status == ClassifiedItem.Status.ON_LOAN and not outside_premises:
        raise BusinessRuleError(_("This item is out on loan; record its return first."), code="item_state")


def supervisors_of(user: User) -> list[User]:
    """The unit supervisors (單位主管) whose role covers the user's unit (on it or above it)."""
    person = user.person if user.person_id else None
    unit = person.unit if person is not None and person.unit_id is not None else None
    if unit is None:
        return []
    ancestors = [int(p) for p in unit.path.split("/") if p]
    return list(
        User.objects.filter(
            Q(role_assignments__role=Role.UNIT_SUPERVISOR, role_assignments__unit_id__in=ancestors), is_active=True
        )
        .exclude(pk=user.pk)
        .distinct()
    )


def tell_of_move(*, item: ClassifiedItem, ethics: list[User]) -> None:
    """Tell the custodian's supervisors and the ethics office that the item's place changed (never the place itself:
    where an item is kept is for those with need-to-know, on the item's page)."""
    where = _("outside the agency's premises") if item.storage_outside_premises else _("inside the agency's premises")
    notify(
        people=[*supervisors_of(item.custodian), *ethics],
        subject=_("Storage place of %(ref)s (%(mark)s) changed by %(custodian)s: now %(where)s")
        % {"ref": item.reference_no, "mark": item.mark, "custodian": item.custodian.display_name, "where": where},
        body=_("Open the item in the register to see where it is kept now."),
        source=item,
        url=reverse("classified:item", args=[item.pk]),
    )


@write_service
@transaction.atomic
def move(
    *, actor: Actor, item: ClassifiedItem, storage_location: str, outside_premises: bool = False
) -> ClassifiedItem:
    """The custodian records where the item is kept now, and whether that is outside the agency's premises (only on
    an approved take-out). The custodian's supervisors and the ethics office are told of every change."""
    item = locked(item)
    if item.custodian_id != actor.user_id:
        raise NotAllowed()
    if item.status in GONE:
        raise BusinessRuleError(_("This item is no longer classified here."))
    if item.status == ClassifiedItem.Status.IN_TRANSIT:
        refuse_while_out(item)
    if not storage_location.strip():
        raise BusinessRuleError(_("Name the storage location."), field="storage_location")
    check_place(item, outside_premises=outside_premises)
    before = auditing.snapshot(item, ["storage_location", "storage_outside_premises"])
    was = (item.storage_location, item.storage_outside_premises)
    item.storage_location = storage_location.strip()[:120]
    item.storage_outside_premises = outside_premises
    if (item.storage_location, item.storage_outside_premises) == was:
        return item
    item.save(update_fields=["storage_location", "storage_outside_premises"])
    auditing.record_update(actor=actor, item=item, before=before)
    tell_of_move(item=item, ethics=ethics_officers(item))
    return item


@write_service
@transaction.atomic
def record_inventory(
    *,
    actor: Actor,
    agency_id: int,
    storage_location: str,
    expected: list[ClassifiedItem],
    missing: list[ClassifiedItem],
    note: str = "",
) -> InventoryCheck:
    if not policies.items.can(actor, "classified.inventory"):
        raise NotAllowed()
    check = InventoryCheck.objects.create(
        agency_id=agency_id,
        storage_location=storage_location,
        checked_by=signed_in(actor),
        expected=len(expected),
        note=note,
    )
    check.missing.set(missing)
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        obj=check,
        object_repr=_("inventory check"),
        changes={
            "location": auditing.seal(storage_location),
            "expected": len(expected),
            "missing": [m.reference_no for m in missing],
            "note": auditing.seal(note),
        },
    )
    if missing:
        notify(
            people=ethics_officers(missing[0]),
            subject=_("Inventory: %(n)s item(s) missing at %(place)s") % {"n": len(missing), "place": storage_location},
            body=", ".join(m.reference_no for m in missing),
            source=check,
            key=f"classified-inventory-{check.pk}",
            url="/classified/inventory/",
        )
    return check
