"""Custody pages: the work queue (approvals, transfers to confirm, proposals to decide) and its CSV, approving
requests, returns, transfer confirmations (outside the agency: the returned receipt) and cancellation, and the
printable inventory per storage location with its recorded checks and its CSV."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.core.csvstream import csv_response
from anwei.core.rocdate import format_datetime
from anwei.core.views import forbidden

from . import auditing, custody, policies, selectors, services
from .forms import InventoryForm, ReasonForm, ReceiptForm
from .models import ClassifiedItem, CustodyRequest
from .views import act, apply


def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "classified/queue.html",
        {
            "approvals": selectors.pending_approvals(user),
            "mine": selectors.my_requests(user),
            "transfers": selectors.transfers_to_confirm(user),
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
    """The recipient confirms receipt (a POST). Outside the agency, the returned receipt is entered on a form by
    someone other than the sender."""
    transfer = policies.transfers.get_visible(request.user, pk)
    if not transfer.is_external:
        if request.method != "POST":
            return forbidden(request)
        refused = act(
            request,
            lambda: custody.confirm_received(actor=request.user, transfer=transfer),
            _("Confirmed as received."),
        )
        return refused or redirect("classified:queue")
    if not policies.transfers.can(request.user, "classified.confirm_received", transfer):
        return forbidden(request)
    form = ReceiptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = apply(form, lambda: custody.confirm_received(actor=request.user, transfer=transfer, **form.cleaned_data))
        if done is not None:
            messages.success(request, _("Returned receipt recorded; the item has left the register."))
            return redirect("classified:queue")
    return render(
        request,
        "classified/form.html",
        {
            "form": form,
            "item": transfer.item,
            "title": _("Record the returned receipt"),
            "intro": _("Sent to %(who)s by %(method)s. Enter the receipt (回執) as it came back.")
            % {"who": transfer.outside_recipient, "method": transfer.get_method_display()},
        },
    )


def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The sender withdraws a transfer not yet sent, with the reason."""
    transfer = policies.transfers.get_visible(request.user, pk)
    if request.method != "POST":
        return forbidden(request)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason."))
        return redirect("classified:queue")
    refused = act(
        request,
        lambda: custody.cancel_transfer(actor=request.user, transfer=transfer, reason=form.cleaned_data["reason"]),
        _("Transfer cancelled."),
    )
    return refused or redirect("classified:queue")


def inventory(request: HttpRequest) -> HttpResponse:
    """Items per storage location, for a physical check; printable. Titles only with need-to-know; earlier checks
    of the viewer's own agency only."""
    if not policies.items.can(request.user, "classified.inventory"):
        return forbidden(request)
    locations = selectors.storage_locations(request.user)
    location = request.GET.get("location", "")
    context: dict[str, object] = {"locations": locations, "location": location, "now": timezone.now()}
    if location:
        items = list(selectors.at_location(request.user, location))
        rows = selectors.rows(request.user, items)
        auditing.record_listing(
            actor=request.user, shown=items, titled={r.item.pk for r in rows if r.may_read}, how="inventory"
        )
        context["rows"] = rows
        context["form"] = InventoryForm(
            initial={"location": location}, items=selectors.at_location(request.user, location)
        )
        context["checks"] = selectors.inventory_checks(request.user, location)[:10]
    return render(request, "classified/inventory.html", context)


def inventory_export(request: HttpRequest) -> HttpResponseBase:
    """The inventory list of one storage location as CSV (streamed), titles only with need-to-know; audited."""
    location = request.GET.get("location", "")
    if not policies.items.can(request.user, "classified.inventory"):
        return forbidden(request)
    qs = selectors.at_location(request.user, location)
    auditing.record_export(
        actor=request.user,
        listing=_("inventory list"),
        filters={"location": location},
        count=qs.count(),
        titled=selectors.titled_references(request.user, qs),
    )
    header = [_("Reference number"), _("Level"), _("Document title"), _("Custodian"), _("Status"), _("Found")]
    lines = (
        [r.item.reference_no, r.item.mark, r.title, r.item.custodian.display_name, r.item.get_status_display(), ""]
        for r in selectors.streamed_rows(request.user, qs)
    )
    return csv_response("classified-inventory.csv", header, lines)


def approvals_export(request: HttpRequest) -> HttpResponseBase:
    """The requests awaiting the viewer's approval as CSV (streamed; reference numbers, never titles); audited."""
    if not policies.requests.can(request.user, "classified.approve"):
        return forbidden(request)
    qs = selectors.pending_approvals(request.user)
    auditing.record_export(
        actor=request.user,
        listing=_("requests awaiting approval"),
        filters={},
        count=qs.count(),
        titled=[],
        model=CustodyRequest,
    )
    header = [
        _("Reference number"),
        _("Level"),
        _("What"),
        _("Requested by"),
        _("Purpose"),
        _("Number of copies"),
        _("Due back"),
        _("Requested"),
    ]
    lines = (
        [
            r.item.reference_no,
            r.item.mark,
            r.get_kind_display(),
            r.requester.display_name,
            r.purpose,
            r.copies if r.kind in (CustodyRequest.Kind.COPY, CustodyRequest.Kind.PHOTOCOPY) else "",
            format_datetime(r.due_back) if r.due_back else "",
            format_datetime(r.requested_at),
        ]
        for r in qs.iterator(chunk_size=2000)
    )
    return csv_response("classified-approvals.csv", header, lines)


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
