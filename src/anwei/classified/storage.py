"""Where a register item is kept (存放處所), and the rules on changing it.

A storage place is inside the agency's premises (a safe, a locked cabinet, the registry) or outside them (承辦人住處,
another building, a hotel on a trip): the custodian says which when recording the place, and the register keeps it in
`ClassifiedItem.storage_outside_premises`. Keeping an item outside the premises needs a take-out (攜出) approved for it
and not yet returned; without one the change is refused. Every change of place — inside or outside — is told to the
custodian's unit supervisors and the ethics office, so that no item moves unseen."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from anwei.accounts.models import User
from anwei.accounts.roles import Role
from anwei.core.errors import BusinessRuleError
from anwei.notifications.services import notify

from .models import ClassifiedItem, CustodyRequest


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
