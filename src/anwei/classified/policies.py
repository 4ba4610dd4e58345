"""Who may do what in the classified register.

Register access (by unit scope) shows reference numbers, levels and custody data. Title and content need
need-to-know (國家機密保護法第14條): the custodian, the people handling the matter, and holders of a written,
recorded grant (`accounts.AccessGrant`). Supervisors approve requests in their units, never their own."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import IntegerField, Q, QuerySet
from django.db.models.functions import Cast

from anwei.accounts.actor import Actor, Who
from anwei.accounts.models import AccessGrant
from anwei.accounts.roles import Role, grant, roles_for
from anwei.accounts.scope import has_need_to_know
from anwei.accounts.selectors import holders_by_level
from anwei.core.policies import Policy

from .models import ClassifiedItem, CustodyRequest, InventoryCheck, Transfer

grant(
    "classified.view",
    Role.ETHICS_OFFICER,
    Role.AGENCY_HEAD,
    Role.UNIT_SUPERVISOR,
    Role.STAFF,
    Role.AUDITOR,
)
grant("classified.register", Role.ETHICS_OFFICER, Role.AGENCY_HEAD, Role.UNIT_SUPERVISOR, Role.STAFF)
grant("classified.decide", Role.AGENCY_HEAD, Role.UNIT_SUPERVISOR)  # decide proposals, change levels, declassify
grant("classified.approve", Role.AGENCY_HEAD, Role.UNIT_SUPERVISOR)  # copy, fax and take-out requests
grant("classified.grant", Role.AGENCY_HEAD, Role.UNIT_SUPERVISOR)  # written need-to-know grants
grant("classified.destroy", Role.AGENCY_HEAD, Role.UNIT_SUPERVISOR, Role.ETHICS_OFFICER)
grant("classified.inventory", Role.ETHICS_OFFICER, Role.UNIT_SUPERVISOR, Role.AUDITOR)
# outside the agency: record the returned receipt (回執) of a transfer — never the sender himself
grant("classified.record_receipt", Role.ETHICS_OFFICER, Role.AGENCY_HEAD, Role.UNIT_SUPERVISOR)

READ = "classified.read"  # see title and content: need-to-know, not a role action
REQUEST = "classified.request"  # ask for a copy or take-out: need-to-know
TRANSFER = "classified.transfer"  # hand over: the custodian


def _is_authenticated(user: Who) -> bool:
    return user is not None and bool(user.is_authenticated)


def _uid(user: Who) -> int | None:
    """The key of the signed-in user behind `user` (an Actor or a request's user)."""
    return Actor.of(user).user_id


class ItemPolicy(Policy):
    model = ClassifiedItem
    view_action = "classified.view"

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else ClassifiedItem.objects.all()
        if not _is_authenticated(user):
            return qs.none()
        return qs.filter(self.scope(user, self.view_action).q(self.unit_field) | self.need_to_know_q(user))

    def need_to_know_q(self, user: Who) -> Q:
        """Items whose title and content `user` may see."""
        if not _is_authenticated(user):
            return Q(pk__in=[])
        handled = ClassifiedItem.handlers.through.objects.filter(user_id=_uid(user)).values("classifieditem_id")
        granted = (
            AccessGrant.objects.active()
            .filter(user_id=_uid(user) or 0, content_type=ContentType.objects.get_for_model(ClassifiedItem))
            .annotate(item_id=Cast("object_id", IntegerField()))
            .values("item_id")
        )
        return Q(custodian_id=_uid(user)) | Q(pk__in=handled) | Q(pk__in=granted)

    def need_to_know_pks(self, user: Who, queryset: QuerySet[Any]) -> set[int]:
        return set(queryset.filter(self.need_to_know_q(user)).values_list("pk", flat=True))

    def can_read(self, user: Who, item: ClassifiedItem) -> bool:
        if not _is_authenticated(user):
            return False
        if item.custodian_id == _uid(user) or item.handlers.filter(pk=_uid(user)).exists():
            return True
        return has_need_to_know(user, item)

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if not _is_authenticated(user):
            return False
        if action == READ:
            return obj is not None and self.can_read(user, obj)
        if action == REQUEST:
            return obj is None or self.can_read(user, obj)
        if action == TRANSFER:
            return obj is None or obj.custodian_id == _uid(user)
        if action == "classified.grant" and obj is not None and obj.custodian_id == _uid(user):
            return True
        return super().can(user, action, obj)

    def may_record_copy_return(self, user: Who, copy: ClassifiedItem) -> bool:
        """Whether `user` is offered to record that a copy came back: it is out, and they keep the original."""
        original = copy.original
        return (
            _is_authenticated(user)
            and copy.status == ClassifiedItem.Status.ON_LOAN
            and original is not None
            and original.custodian_id == _uid(user)
        )


class RequestPolicy(Policy):
    """A request is seen by its requester, the item's custodian and approvers of the owning unit."""

    model = CustodyRequest
    unit_field = "item__unit"
    view_action = "classified.approve"

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else CustodyRequest.objects.all()
        if not _is_authenticated(user):
            return qs.none()
        return qs.filter(
            self.scope(user, "classified.approve").q(self.unit_field)
            | Q(requester_id=_uid(user))
            | Q(item__custodian_id=_uid(user))
        )

    def unit_of(self, obj: Any) -> Any:
        return obj.item.unit

    def approvers(self, req: CustodyRequest) -> list[Any]:
        """Who is asked to decide the request (told at once, and on their to-do list): those who may approve at the
        nearest level above the item — the unit's supervisor, else a supervisor above, else the agency head —
        never the requester. Anyone else who may approve still finds it in the queue."""
        for level in holders_by_level(roles_for("classified.approve"), req.item.unit):
            found = [u for u in level if u.pk != req.requester_id and u.agency_id == req.item.agency_id]
            if found:
                return found
        return []

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if action == "classified.approve" and obj is not None and obj.requester_id == _uid(user):
            return False  # never one's own request
        if action == "classified.return":  # the custodian records returns
            return _is_authenticated(user) and (obj is None or obj.item.custodian_id == _uid(user))
        return super().can(user, action, obj)

    def may_decide(self, user: Who, req: CustodyRequest) -> bool:
        """Whether `user` is offered to decide the request now: pending, theirs to approve, never their own."""
        return req.status == CustodyRequest.Status.PENDING and self.can(user, "classified.approve", req)

    def may_record_take_out_return(self, user: Who, req: CustodyRequest) -> bool:
        """Whether `user` is offered to record the return of a take-out: approved, out, and they keep the item."""
        return (
            req.kind == CustodyRequest.Kind.TAKE_OUT
            and req.status == CustodyRequest.Status.APPROVED
            and self.can(user, "classified.return", req)
        )


class TransferPolicy(Policy):
    """A transfer is seen by both sides and by approvers of the owning unit; one to a recipient outside the
    agency also by those who record its returned receipt."""

    model = Transfer
    unit_field = "item__unit"
    view_action = "classified.approve"
    RECEIPT = "classified.record_receipt"

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else Transfer.objects.all()
        if not _is_authenticated(user):
            return qs.none()
        external = ~Q(outside_recipient="") & self.scope(user, self.RECEIPT).q(self.unit_field)
        return qs.filter(
            self.scope(user, self.view_action).q(self.unit_field)
            | external
            | Q(from_user_id=_uid(user))
            | Q(to_user_id=_uid(user))
        )

    def unit_of(self, obj: Any) -> Any:
        return obj.item.unit

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if not _is_authenticated(user):
            return False
        if action == "classified.confirm_sent":  # also: cancel before it is sent
            return obj is not None and obj.from_user_id == _uid(user)
        if action == "classified.confirm_received":
            if obj is None:
                return False
            if obj.to_user_id:
                return bool(obj.to_user_id == _uid(user))
            # outside the agency: the returned receipt, recorded by someone other than the sender (both sides)
            return obj.from_user_id != _uid(user) and self.scope(user, self.RECEIPT).covers(self.unit_of(obj))
        return super().can(user, action, obj)


class InventoryPolicy(Policy):
    """Recorded inventory checks: seen by those who may check, in their own agency only."""

    model = InventoryCheck
    view_action = "classified.inventory"

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else InventoryCheck.objects.all()
        if not _is_authenticated(user) or self.scope(user, self.view_action).empty:
            return qs.none()
        return qs.filter(agency_id=Actor.of(user).agency_id or 0)

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if not _is_authenticated(user) or self.scope(user, action).empty:
            return False
        return obj is None or obj.agency_id == Actor.of(user).agency_id


items = ItemPolicy()
requests = RequestPolicy()
transfers = TransferPolicy()
inventory = InventoryPolicy()
