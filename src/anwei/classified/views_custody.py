"""Custody pages: the work queue (approvals, transfers to confirm, proposals to decide), approving requests,
returns, transfer confirmations, and the printable inventory per storage location with its recorded check."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.core.views import forbidden

from . import custody, policies, selectors, services
from .forms import InventoryForm
from .models import ClassifiedItem, InventoryCheck
from .views import act


def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "classified/queue.html",
        {
            "approvals": selectors.pending_approvals(user),
            "mine": selectors.my_requests(user),
            "transfers": selectors.open_transfers(user),
            "undecided": selectors.undecided(user),
        },
    )


def _back(request: HttpRequest, item_pk: int) -> HttpResponse:
    target = request.POST.get("next", "")
    return redirect("classified:queue") if target == "queue" else redirect("classified:item", pk=item_pk)


def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    req = policies.requests.get_visible(request.user, pk)
    if request.method != "POST":
        return forbidden(request)
    approve = request.POST.get("approve") == "1"
    refused = act(
        request,
        lambda: custody.decide(actor=request.user, req=req, approve=approve, note=request.POST.get("note", "")),
        _("Approved.") if approve else _("Refused."),
    )
    return refused or _back(request, req.item_id)


def request_return(request: HttpRequest, pk: int) -> HttpResponse:
    req = policies.requests.get_visible(request.user, pk)
    if request.method != "POST":
        return forbidden(request)
    refused = act(request, lambda: custody.return_take_out(actor=request.user, req=req), _("Return recorded."))
    return refused or _back(request, req.item_id)


def copy_return(request: HttpRequest, pk: int) -> HttpResponse:
    copy = policies.items.get_visible(request.user, pk)
    if request.method != "POST" or copy.original_id is None:
        return forbidden(request)
    refused = act(
        request,
        lambda: custody.return_copy(
            actor=request.user, copy=copy, storage_location=request.POST.get("storage_location", "")
        ),
        _("Return recorded."),
    )
    return refused or redirect("classified:item", pk=copy.original_id)


def transfer_sent(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = policies.transfers.get_visible(request.user, pk)
    if request.method != "POST":
        return forbidden(request)
    refused = act(request, lambda: custody.confirm_sent(actor=request.user, transfer=transfer), _("Confirmed as sent."))
    return refused or redirect("classified:queue")


def transfer_received(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = policies.transfers.get_visible(request.user, pk)
    if request.method != "POST":
        return forbidden(request)
    refused = act(
        request, lambda: custody.confirm_received(actor=request.user, transfer=transfer), _("Confirmed as received.")
    )
    return refused or redirect("classified:queue")


def inventory(request: HttpRequest) -> HttpResponse:
    """Items per storage location, for a physical check; printable. Titles only with need-to-know."""
    if not policies.items.can(request.user, "classified.inventory"):
        return forbidden(request)
    locations = selectors.storage_locations(request.user)
    location = request.GET.get("location", "")
    context: dict[str, object] = {"locations": locations, "location": location, "now": timezone.now()}
    if location:
        items = list(selectors.at_location(request.user, location))
        rows = selectors.rows(request.user, items)
        services.record_listing(
            actor=request.user, shown=items, titled={r.item.pk for r in rows if r.may_read}, how="inventory"
        )
        context["rows"] = rows
        context["form"] = InventoryForm(
            initial={"location": location}, items=selectors.at_location(request.user, location)
        )
        context["checks"] = InventoryCheck.objects.filter(storage_location=location).select_related("checked_by")[:10]
    return render(request, "classified/inventory.html", context)


def inventory_check(request: HttpRequest) -> HttpResponse:
    if request.method != "POST" or not policies.items.can(request.user, "classified.inventory"):
        return forbidden(request)
    location = request.POST.get("location", "")
    expected = selectors.at_location(request.user, location)
    form = InventoryForm(request.POST, items=expected)
    if not location or not form.is_valid() or not expected.exists():
        messages.error(request, _("Choose a storage location with items."))
        return redirect("classified:inventory")
    item: ClassifiedItem = expected.first()  # type: ignore[assignment]
    services.record_inventory(
        actor=request.user,
        agency_id=item.agency_id,
        storage_location=location,
        expected=list(expected),
        missing=list(form.cleaned_data["missing"]),
        note=form.cleaned_data["note"],
    )
    messages.success(request, _("Inventory check recorded."))
    return redirect(reverse("classified:inventory") + "?" + urlencode({"location": location}))
