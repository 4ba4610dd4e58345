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

from anwei.accounts.actor import actor_of
from anwei.core import entrance
from anwei.core.csvstream import csv_response
from anwei.core.rocdate import format_datetime
from anwei.core.views import forbidden

from . import auditing, commands, policies, selectors
from .forms import InventoryForm, ReasonForm, ReceiptForm
from .models import CustodyRequest


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
    note = request.POST.get("note", "")
    entrance.on_page(
        request,
        lambda: commands.decide_request_by_id(actor=actor_of(request), request_id=req.pk, approve=approve, note=note),
        success=_("Approved.") if approve else _("Refused."),
    )
    return _back(request, req.item_id)


def request_return(request: HttpRequest, pk: int) -> HttpResponse:
    req = policies.requests.get_visible(request.user, pk)
    if request.method != "POST":
        return forbidden(request)
    entrance.on_page(
        request,
        lambda: commands.return_take_out_by_id(actor=actor_of(request), request_id=req.pk),
        success=_("Return recorded."),
    )
    return _back(request, req.item_id)


def copy_return(request: HttpRequest, pk: int) -> HttpResponse:
    copy = policies.items.get_visible(request.user, pk)
    if request.method != "POST" or copy.original_id is None:
        return forbidden(request)
    storage_location = request.POST.get("storage_location", "")
    entrance.on_page(
        request,
        lambda: commands.return_copy_by_id(actor=actor_of(request), copy_id=copy.pk, storage_location=storage_location),
        success=_("Return recorded."),
    )
    return redirect("classified:item", pk=copy.original_id)


def transfer_sent(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = policies.transfers.get_visible(request.user, pk)
    if request.method != "POST":
        return forbidden(request)
    entrance.on_page(
        request,
        lambda: commands.confirm_sent_by_id(actor=actor_of(request), transfer_id=transfer.pk),
        success=_("Confirmed as sent."),
    )
    return redirect("classified:queue")


def transfer_received(request: HttpRequest, pk: int) -> HttpResponse:
    """The recipient confirms receipt (a POST). Outside the agency, the returned receipt is entered on a form by
    someone other than the sender."""
    transfer = policies.transfers.get_visible(request.user, pk)
    if not transfer.is_external:
        if request.method != "POST":
            return forbidden(request)
        entrance.on_page(
            request,
            lambda: commands.confirm_received_by_id(actor=actor_of(request), transfer_id=transfer.pk),
            success=_("Confirmed as received."),
        )
        return redirect("classified:queue")
    if not policies.transfers.can(request.user, "classified.confirm_received", transfer):
        return forbidden(request)
    form = ReceiptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = entrance.on_form(
            form,
            lambda: commands.confirm_received_by_id(
                actor=actor_of(request), transfer_id=transfer.pk, **form.cleaned_data
            ),
        )
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
    reason = form.cleaned_data["reason"]
    entrance.on_page(
        request,
        lambda: commands.cancel_transfer_by_id(actor=actor_of(request), transfer_id=transfer.pk, reason=reason),
        success=_("Transfer cancelled."),
    )
    return redirect("classified:queue")


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
    missing_ids = [m.pk for m in form.cleaned_data["missing"]]
    entrance.on_page(
        request,
        lambda: commands.record_inventory_check(
            actor=actor_of(request), storage_location=location, missing_ids=missing_ids, note=form.cleaned_data["note"]
        ),
        success=_("Inventory check recorded."),
    )
    return redirect(reverse("classified:inventory") + "?" + urlencode({"location": location}))
