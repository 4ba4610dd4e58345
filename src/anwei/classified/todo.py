"""To-do items of the classified register: requests waiting for this user's decision ("approve"; never the
user's own request), and copies and take-outs this user holds and must bring back ("return_due", with the time
due back). Items are named by reference number and level only, never by title. Those asked to decide are the
nearest approvers (policies.requests.approvers), as told when the request was made; the queue shows everything a
user may decide."""

from collections.abc import Iterator
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, Who
from anwei.core.todo import TodoItem

from . import policies, selectors
from .models import ClassifiedItem, CustodyRequest


def asked_to_decide(user: Who) -> list[CustodyRequest]:
    """Pending requests this user is asked to decide (policies.requests.approvers; one lookup per unit and
    requester)."""
    asked: dict[tuple[int, int], bool] = {}
    out = []
    for req in selectors.pending_approvals(user):
        key = (req.item.unit_id, req.requester_id)
        if key not in asked:
            asked[key] = any(u.pk == Actor.of(user).user_id for u in policies.requests.approvers(req))
        if asked[key]:
            out.append(req)
    return out


def items(user: Who, now: datetime) -> Iterator[TodoItem]:
    queue = reverse("classified:queue")
    for req in asked_to_decide(user):
        yield TodoItem(
            kind="approve",
            title=_("Decide %(kind)s of %(ref)s (%(mark)s) for %(who)s")
            % {
                "kind": req.get_kind_display(),
                "ref": req.item.reference_no,
                "mark": req.item.mark,
                "who": req.requester.display_name,
            },
            url=f"{queue}#request-{req.pk}",
            detail=req.purpose,
        )
    take_outs = CustodyRequest.objects.filter(
        requester_id=Actor.of(user).user_id, kind=CustodyRequest.Kind.TAKE_OUT, status=CustodyRequest.Status.APPROVED
    ).select_related("item")
    for req in take_outs:
        yield TodoItem(
            kind="return_due",
            title=_("Bring back %(ref)s (%(mark)s), taken out") % {"ref": req.item.reference_no, "mark": req.item.mark},
            url=reverse("classified:item", args=[req.item_id]),
            due_at=req.due_back,
        )
    copies = ClassifiedItem.objects.filter(
        custodian_id=Actor.of(user).user_id,
        original__isnull=False,
        returned_at__isnull=True,
        due_back__isnull=False,
        status=ClassifiedItem.Status.ON_LOAN,
    )
    for copy in copies.order_by("due_back", "pk"):
        yield TodoItem(
            kind="return_due",
            title=_("Return the copy %(ref)s (%(mark)s)") % {"ref": copy.reference_no, "mark": copy.mark},
            url=reverse("classified:item", args=[copy.pk]),
            due_at=copy.due_back,
        )
