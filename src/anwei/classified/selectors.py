"""Reads of the register, already narrowed by the policies. Searching matches titles only among the items the
user has need-to-know for: otherwise a match would reveal something about a title."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from . import policies
from .models import ClassifiedItem, CustodyRequest, Transfer


def register(
    user: Any, *, q: str = "", level: str = "", status: str = "", copies: bool = False
) -> QuerySet[ClassifiedItem]:
    qs = policies.items.visible(user).select_related("unit", "custodian__person")
    if not copies:
        qs = qs.filter(original__isnull=True)
    if q:
        match = Q(reference_no__icontains=q) | (
            (Q(title__icontains=q) | Q(content__icontains=q)) & policies.items.need_to_know_q(user)
        )
        qs = qs.filter(match)
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-classified_on", "reference_no")


@dataclass(frozen=True)
class Row:
    """One line of a listing: the title only where the viewer has need-to-know."""

    item: ClassifiedItem
    title: str | None

    @property
    def may_read(self) -> bool:
        return self.title is not None


def rows(user: Any, items: list[ClassifiedItem]) -> list[Row]:
    readable = policies.items.need_to_know_pks(user, ClassifiedItem.objects.filter(pk__in=[i.pk for i in items]))
    return [Row(i, i.title if i.pk in readable else None) for i in items]


def copies_of(item: ClassifiedItem) -> QuerySet[ClassifiedItem]:
    return item.copies.select_related("custodian__person", "destruction").order_by("copy_number")


def pending_approvals(user: Any) -> QuerySet[CustodyRequest]:
    scope = policies.requests.scope(user, "classified.approve")
    if scope.empty:
        return CustodyRequest.objects.none()
    return (
        CustodyRequest.objects.filter(scope.q("item__unit"), status=CustodyRequest.Status.PENDING)
        .exclude(requester_id=user.pk)
        .select_related("item", "requester__person")
    )


def my_requests(user: Any) -> QuerySet[CustodyRequest]:
    return CustodyRequest.objects.filter(requester_id=user.pk).select_related("item")[:50]  # type: ignore[return-value]


def open_transfers(user: Any) -> QuerySet[Transfer]:
    return (
        policies.transfers.visible(user)
        .filter(received_at__isnull=True)
        .select_related("item", "from_user__person", "to_user__person")
    )


def undecided(user: Any) -> QuerySet[ClassifiedItem]:
    scope = policies.items.scope(user, "classified.decide")
    if scope.empty:
        return ClassifiedItem.objects.none()
    return ClassifiedItem.objects.filter(scope.q("unit"), proposed=True, original__isnull=True).order_by(
        "classified_on"
    )


def storage_locations(user: Any) -> list[str]:
    qs = policies.items.visible(user).exclude(
        status__in=[ClassifiedItem.Status.DESTROYED, ClassifiedItem.Status.TRANSFERRED]
    )
    return sorted(set(qs.values_list("storage_location", flat=True)))


def at_location(user: Any, location: str) -> QuerySet[ClassifiedItem]:
    return (
        policies.items.visible(user)
        .filter(storage_location=location)
        .exclude(status__in=[ClassifiedItem.Status.DESTROYED, ClassifiedItem.Status.TRANSFERRED])
        .select_related("custodian__person")
        .order_by("reference_no")
    )
