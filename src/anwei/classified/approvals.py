"""Telling those who must decide: a new copy/take-out request waits for the approvers of the item's unit
(policies.requests.approvers — never the requester), who are told at once with a link to it in their queue."""

from django.urls import reverse
from django.utils.translation import gettext as _

from anwei.notifications.services import notify

from . import policies
from .models import CustodyRequest


def tell_approvers(req: CustodyRequest) -> None:
    """Those who may decide a new request are told it waits for them, with a link to it in their queue. The
    message names the item by reference number and level only, never its title."""
    notify(
        people=policies.requests.approvers(req),
        subject=_("Awaiting your approval: %(req)s (%(mark)s), requested by %(who)s")
        % {"req": str(req), "mark": req.item.mark, "who": req.requester.display_name},
        body=_("Open the request in Anwei to approve or refuse it."),
        source=req,
        key=f"classified-request-{req.pk}",
        url=reverse("classified:queue") + f"#request-{req.pk}",
    )
