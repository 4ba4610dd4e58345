"""Reads of the register, already narrowed by the policies. Searching matches titles only among the items the
user has need-to-know for: otherwise a match would reveal something about a title."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from anwei.accounts.actor import Actor, Who
from anwei.accounts.models import AccessGrant

from . import policies
from .models import ClassifiedItem, CustodyRequest, InventoryCheck, LevelChange, Transfer


def register(
    user: Who, *, q: str = "", level: str = "", status: str = "", copies: bool = False
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


def rows(user: Who, items: list[ClassifiedItem]) -> list[Row]:
    readable = policies.items.need_to_know_pks(user, ClassifiedItem.objects.filter(pk__in=[i.pk for i in items]))
    return [Row(i, i.title if i.pk in readable else None) for i in items]


def with_readable(user: Who, qs: QuerySet[ClassifiedItem]) -> QuerySet[ClassifiedItem]:
    """Each item annotated `readable`: whether `user` has need-to-know for it (one query, for streamed lists)."""
    return qs.annotate(
        readable=Case(
            When(policies.items.need_to_know_q(user), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def streamed_rows(user: Who, qs: QuerySet[ClassifiedItem], chunk: int = 2000) -> Any:
    """Rows of a whole listing, read in chunks: the title only where `readable`."""
    for item in with_readable(user, qs).iterator(chunk_size=chunk):
        yield Row(item, item.title if item.readable else None)  # type: ignore[attr-defined]  # annotated by with_readable()


def titled_references(user: Who, qs: QuerySet[ClassifiedItem]) -> list[str]:
    """Reference numbers of the listing's rows whose titles `user` may see (for the audit entry of an export)."""
    return list(qs.filter(policies.items.need_to_know_q(user)).values_list("reference_no", flat=True))


def combinable(user: Who) -> QuerySet[ClassifiedItem]:
    """Originals still here whose titles `user` may see: the parts the combine form offers."""
    return (
        policies.items.visible(user)
        .filter(policies.items.need_to_know_q(user), original__isnull=True)
        .exclude(status__in=[ClassifiedItem.Status.DESTROYED, ClassifiedItem.Status.TRANSFERRED])
        .order_by("reference_no")
    )


def copies_of(item: ClassifiedItem) -> QuerySet[ClassifiedItem]:
    return item.copies.select_related("custodian__person", "destruction").order_by("copy_number")


@dataclass(frozen=True)
class CopyLine:
    """A copy on its original's page: whether it came back late or is out past its due time, and whether the
    viewer may record its return."""

    copy: ClassifiedItem
    late: bool
    overdue: bool
    may_record_return: bool


def copy_lines(user: Who, item: ClassifiedItem, now: datetime) -> list[CopyLine]:
    lines = []
    for copy in copies_of(item):
        due, returned = copy.due_back, copy.returned_at
        copy.original = item  # the page's item: no query per copy for the policy
        lines.append(
            CopyLine(
                copy=copy,
                late=due is not None and returned is not None and returned > due,
                overdue=(
                    due is not None and returned is None and due < now and copy.status == ClassifiedItem.Status.ON_LOAN
                ),
                may_record_return=policies.items.may_record_copy_return(user, copy),
            )
        )
    return lines


def grants_of(item: ClassifiedItem) -> QuerySet[AccessGrant]:
    """The written grants in force on an item (expired and revoked ones are not)."""
    return AccessGrant.objects.active().for_object(item).select_related("user__person", "granted_by__person")


def requests_of(user: Who, item: ClassifiedItem) -> QuerySet[CustodyRequest]:
    return policies.requests.visible(user, item.requests.select_related("requester__person", "decided_by__person"))


@dataclass(frozen=True)
class RequestLine:
    """A request on the item's page, with what the viewer is offered to do with it."""

    request: CustodyRequest
    may_decide: bool
    may_record_return: bool


def request_lines(user: Who, item: ClassifiedItem) -> list[RequestLine]:
    lines = []
    for req in requests_of(user, item):
        req.item = item  # the page's item: no query per request for the policy
        lines.append(
            RequestLine(
                request=req,
                may_decide=policies.requests.may_decide(user, req),
                may_record_return=policies.requests.may_record_take_out_return(user, req),
            )
        )
    return lines


def transfers_of(user: Who, item: ClassifiedItem) -> QuerySet[Transfer]:
    return policies.transfers.visible(
        user, item.transfers.select_related("from_user__person", "to_user__person", "received_by__person")
    )


def level_changes_of(item: ClassifiedItem) -> QuerySet[LevelChange]:
    return item.level_changes.select_related("decided_by__person")


def pending_approvals(user: Who) -> QuerySet[CustodyRequest]:
    scope = policies.requests.scope(user, "classified.approve")
    if scope.empty:
        return CustodyRequest.objects.none()
    return (
        CustodyRequest.objects.filter(scope.q("item__unit"), status=CustodyRequest.Status.PENDING)
        .exclude(requester_id=Actor.of(user).user_id)
        .select_related("item", "requester__person")
        .order_by("requested_at", "pk")
    )


def my_requests(user: Who) -> QuerySet[CustodyRequest]:
    return CustodyRequest.objects.filter(requester_id=Actor.of(user).user_id).select_related("item")[:50]


def open_transfers(user: Who) -> QuerySet[Transfer]:
    return (
        policies.transfers.visible(user)
        .filter(received_at__isnull=True, cancelled_at__isnull=True)
        .select_related("item__unit", "from_user__person", "to_user__person")
    )


@dataclass(frozen=True)
class TransferRow:
    """A transfer in the queue, with what the viewer may do to it now."""

    transfer: Transfer
    may_send: bool
    may_receive: bool


def transfers_to_confirm(user: Who) -> list[TransferRow]:
    return [
        TransferRow(
            t,
            t.sent_at is None and policies.transfers.can(user, "classified.confirm_sent", t),
            t.sent_at is not None and policies.transfers.can(user, "classified.confirm_received", t),
        )
        for t in open_transfers(user)[:200]
    ]


def undecided(user: Who) -> QuerySet[ClassifiedItem]:
    scope = policies.items.scope(user, "classified.decide")
    if scope.empty:
        return ClassifiedItem.objects.none()
    return ClassifiedItem.objects.filter(scope.q("unit"), proposed=True, original__isnull=True).order_by(
        "classified_on"
    )


def storage_locations(user: Who) -> list[str]:
    qs = policies.items.visible(user).exclude(
        status__in=[ClassifiedItem.Status.DESTROYED, ClassifiedItem.Status.TRANSFERRED]
    )
    return sorted(set(qs.values_list("storage_location", flat=True)))


def at_location(user: Who, location: str) -> QuerySet[ClassifiedItem]:
    return (
        policies.items.visible(user)
        .filter(storage_location=location)
        .exclude(status__in=[ClassifiedItem.Status.DESTROYED, ClassifiedItem.Status.TRANSFERRED])
        .select_related("custodian__person")
        .order_by("reference_no")
    )


def inventory_checks(user: Who, location: str) -> QuerySet[InventoryCheck]:
    """Checks recorded at a storage location, in the viewer's own agency only."""
    return (
        policies.inventory.visible(user)
        .filter(storage_location=location)
        .select_related("checked_by__person")
        .prefetch_related("missing")
    )


def holds_national_secret(user_id: int) -> bool:
    """Whether the user now keeps or holds a national secret (國家機密: 絕對機密, 極機密, 機密) — as custodian of an
    item or copy in the register, or on an approved take-out not yet returned. Such a person is a security-sensitive
    person (涉密人員) for travel (awareness), whatever the directory says."""
    from .rules import NATIONAL_SECRET_LEVELS

    held = (ClassifiedItem.Status.IN_CUSTODY, ClassifiedItem.Status.ON_LOAN, ClassifiedItem.Status.IN_TRANSIT)
    secrets = ClassifiedItem.objects.filter(level__in=NATIONAL_SECRET_LEVELS, status__in=held)
    taken_out = CustodyRequest.objects.filter(
        requester_id=user_id, kind=CustodyRequest.Kind.TAKE_OUT, status=CustodyRequest.Status.APPROVED
    ).values("item_id")
    return secrets.filter(Q(custodian_id=user_id) | Q(pk__in=taken_out)).exists()
