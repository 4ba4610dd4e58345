"""Register pages: the listing (with search and CSV export), an item, registering and combining items, level
changes, destruction, need-to-know grants and the printable view. Custody pages are in views_custody.py.
Titles reach a template only through `selectors.rows` / `can_read`; every item view goes on the audit log."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import Who, actor_of, signed_in_user
from anwei.accounts.models import User
from anwei.core import entrance
from anwei.core.csvstream import csv_response
from anwei.core.views import forbidden
from anwei.directory.models import Unit

from . import auditing, commands, custody, policies, printing, rules, selectors, services, storage, transfers
from .forms import (
    CombineForm,
    DestroyForm,
    GrantForm,
    ItemForm,
    LevelChangeForm,
    ReasonForm,
    RequestForm,
    SearchForm,
    TransferForm,
    agency_users,
)


def _user(request: HttpRequest) -> User:
    return signed_in_user(request)  # login is required on every page


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _units(user: Who, action: str) -> QuerySet[Unit]:
    return Unit.objects.filter(policies.items.scope(user, action).q(""), active=True).order_by("path")


def index(request: HttpRequest) -> HttpResponse:
    if not policies.items.can(request.user, "classified.view") and not selectors.register(request.user).exists():
        return forbidden(request)
    form = SearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {"q": "", "level": "", "status": ""}
    page = Paginator(selectors.register(request.user, **data), 50).get_page(request.GET.get("page"))
    rows = selectors.rows(request.user, list(page))
    auditing.record_listing(
        actor=request.user, shown=list(page), titled={r.item.pk for r in rows if r.may_read}, how="page"
    )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": _without_page(request),
        "can_register": policies.items.can(request.user, "classified.register"),
    }
    template = "classified/_rows.html" if request.htmx else "classified/index.html"  # type: ignore[attr-defined]  # django-htmx sets it
    return render(request, template, context)


def export(request: HttpRequest) -> HttpResponseBase:
    """CSV of the whole listing, streamed (no limit, nothing held in memory); titles and storage locations only for
    items the user has need-to-know for. Recorded on the audit log before the first row leaves."""
    form = SearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {"q": "", "level": "", "status": ""}
    qs = selectors.register(request.user, **data)
    if not policies.items.can(request.user, "classified.view") and not qs.exists():
        return forbidden(request)
    auditing.record_export(
        actor=request.user,
        listing=_("register listing"),
        filters=data,
        count=qs.count(),
        titled=selectors.titled_references(request.user, qs),
    )
    header = [
        _("Reference number"),
        _("Level"),
        _("Status"),
        _("Classification date"),
        _("Protected until"),
        _("Originating unit"),
        _("Storage location"),
        _("Document title"),
    ]
    lines = (
        [
            r.item.reference_no,
            r.item.mark,
            r.item.get_status_display(),
            r.item.classified_on,
            r.item.protection_until,
            r.item.unit.name,
            r.item.storage_location if r.may_read else None,
            r.title,
        ]
        for r in selectors.streamed_rows(request.user, qs)
    )
    return csv_response("classified-register.csv", header, lines)


def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An item: register data for everyone with register access; what could describe it (title, content, the
    declassification condition, where it is kept, who classified it, why its level changed) only with
    need-to-know."""
    item = policies.items.get_visible(request.user, pk)
    user = _user(request)
    can_read = policies.items.can_read(user, item)
    auditing.record_view(actor=user, item=item, how="page")
    can_grant = policies.items.can(user, "classified.grant", item)
    can_request = policies.items.can(user, policies.REQUEST, item)
    can_decide = policies.items.can(user, "classified.decide", item)
    may_move = item.custodian_id == user.pk and storage.may_move(item)
    context: dict[str, Any] = {
        "item": item,
        "can_read": can_read,
        "ends": services.protection_ends(item),
        # each copy with its lateness and each request with what this user may do (selectors, policies)
        "copy_lines": selectors.copy_lines(user, item, timezone.now()) if not item.is_copy else [],
        "request_lines": selectors.request_lines(user, item),
        "transfers": selectors.transfers_of(user, item),
        "level_changes": selectors.level_changes_of(item),
        "copy_refusal": custody.copy_refusal(item) if can_request else "",
        "can_request": can_request,
        "can_transfer": policies.items.can(user, policies.TRANSFER, item),
        "may_change_level": can_decide and not item.is_copy,
        "may_confirm": can_decide and item.proposed,
        "can_destroy": policies.items.can(user, "classified.destroy", item),
        "can_grant": can_grant,
        "may_move": may_move,
        "must_come_inside": may_move and storage.must_come_inside(item),
    }
    if can_read:
        context["handlers"] = item.handlers.select_related("person")
        context["parts"] = item.combined_from.all()
    if can_read or can_grant:
        context["grants"] = selectors.grants_of(item)
    if can_grant:
        context["grant_form"] = GrantForm(users=agency_users(item.agency_id, besides=user))
        context["revoke_form"] = ReasonForm()
    return render(request, "classified/item_detail.html", context)


def item_print(request: HttpRequest, pk: int) -> HttpResponse:
    """Printable view: the level banner at top and bottom, and a watermark with the viewer's name and the time."""
    item = policies.items.get_visible(request.user, pk)
    if not policies.items.can_read(request.user, item):
        return forbidden(request)
    auditing.record_view(actor=request.user, item=item, how="print")
    return render(
        request,
        "classified/item_print.html",
        {
            "item": item,
            "ends": services.protection_ends(item),
            "viewer": _user(request).display_name,
            "now": timezone.now(),
        },
    )


def item_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same as the printable view, as a PDF: banner on every page and the viewer's watermark."""
    item = policies.items.get_visible(request.user, pk)
    if not policies.items.can_read(request.user, item):
        return forbidden(request)
    auditing.record_view(actor=request.user, item=item, how="pdf")
    body = printing.pdf(item, viewer=_user(request).display_name, now=timezone.now())
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="classified-{item.pk}.pdf"'
    return response


def item_new(request: HttpRequest) -> HttpResponse:
    if not policies.items.can(request.user, "classified.register"):
        return forbidden(request)
    agency_id = _user(request).agency_id or 0
    form = ItemForm(
        request.POST or None, units=_units(request.user, "classified.register"), users=agency_users(agency_id)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit, custodian = data.pop("unit"), data.pop("custodian")
        done = entrance.on_form(
            form,
            lambda: commands.register_item_in_unit(
                actor=actor_of(request), unit_id=unit.pk, custodian_id=custodian.pk, **data
            ),
        )
        if done is not None:
            item = done.value
            messages.success(request, _("Registered as %(ref)s.") % {"ref": item.reference_no})
            return redirect("classified:item", pk=item.pk)
    return render(request, "classified/form.html", {"form": form, "title": _("Register a classified item")})


def combine(request: HttpRequest) -> HttpResponse:
    """The combine form lists the items whose titles the user may see: recorded like any other listing."""
    if not policies.items.can(request.user, "classified.register"):
        return forbidden(request)
    readable = selectors.combinable(request.user)
    form = CombineForm(request.POST or None, items=readable, units=_units(request.user, "classified.register"))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        part_ids = [p.pk for p in data.pop("parts")]
        unit = data.pop("unit")
        done = entrance.on_form(
            form,
            lambda: commands.combine_items_by_id(actor=actor_of(request), part_ids=part_ids, unit_id=unit.pk, **data),
        )
        if done is not None:
            item = done.value
            messages.success(
                request, _("Combined as %(ref)s (%(mark)s).") % {"ref": item.reference_no, "mark": item.mark}
            )
            return redirect("classified:item", pk=item.pk)
    offered = list(readable)
    auditing.record_listing(actor=request.user, shown=offered, titled={i.pk for i in offered}, how="combine")
    return render(
        request,
        "classified/form.html",
        {
            "form": form,
            "title": _("Combine items"),
            "intro": _("The combined item takes the highest level of its parts."),
        },
    )


def item_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = policies.items.get_visible(request.user, pk)
    if request.method != "POST" or not policies.items.can(request.user, "classified.decide", item):
        return forbidden(request)
    approve = request.POST.get("approve") == "1"
    entrance.on_page(
        request,
        lambda: commands.decide_classification_by_id(actor=actor_of(request), item_id=item.pk, approve=approve),
        success=_("Classification decided."),
    )
    return redirect("classified:item", pk=item.pk)


def item_level(request: HttpRequest, pk: int) -> HttpResponse:
    item = policies.items.get_visible(request.user, pk)
    if not policies.items.can(request.user, "classified.decide", item):
        return forbidden(request)
    form = LevelChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        change = entrance.on_form(
            form,
            lambda: commands.change_level_by_id(
                actor=actor_of(request),
                item_id=item.pk,
                reason=d["reason"],
                authority=d["authority"],
                to_level=d["to_level"],
                declassify=d["declassify"],
                protection_until=d["protection_until"],
            ),
        )
        if change is not None:
            messages.success(request, _("Recorded; holders of copies are notified."))
            return redirect("classified:item", pk=item.pk)
    return render(
        request, "classified/form.html", {"form": form, "item": item, "title": _("Change level or declassify")}
    )


def item_destroy(request: HttpRequest, pk: int) -> HttpResponse:
    item = policies.items.get_visible(request.user, pk)
    if not policies.items.can(request.user, "classified.destroy", item):
        return forbidden(request)
    form = DestroyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = entrance.on_form(
            form, lambda: commands.destroy_by_id(actor=actor_of(request), item_id=item.pk, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, _("Destruction recorded."))
            return redirect("classified:item", pk=item.original_id or item.pk)
    return render(request, "classified/form.html", {"form": form, "item": item, "title": _("Record destruction")})


def item_grant(request: HttpRequest, pk: int) -> HttpResponse:
    item = policies.items.get_visible(request.user, pk)
    if request.method != "POST" or not policies.items.can(request.user, "classified.grant", item):
        return forbidden(request)
    form = GrantForm(request.POST, users=agency_users(item.agency_id, besides=request.user))
    if form.is_valid():
        d = form.cleaned_data
        entrance.on_page(
            request,
            lambda: commands.grant_need_to_know_by_id(
                actor=actor_of(request),
                item_id=item.pk,
                user_id=d["user"].pk,
                reason=d["reason"],
                expires_at=d["expires_at"],
            ),
            success=_("Need-to-know granted in writing."),
        )
    else:
        messages.error(request, _("Choose a person and give the reason."))
    return redirect("classified:item", pk=item.pk)


def item_revoke(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    """Withdraw a written grant, with the reason."""
    item = policies.items.get_visible(request.user, pk)
    if request.method != "POST" or not policies.items.can(request.user, "classified.grant", item):
        return forbidden(request)
    grant = get_object_or_404(selectors.grants_of(item), pk=grant_pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        entrance.on_page(
            request,
            lambda: commands.revoke_need_to_know_by_id(
                actor=actor_of(request), item_id=item.pk, grant_id=grant.pk, reason=form.cleaned_data["reason"]
            ),
            success=_("Need-to-know withdrawn."),
        )
    else:
        messages.error(request, _("Give the reason."))
    return redirect("classified:item", pk=item.pk)


def item_move(request: HttpRequest, pk: int) -> HttpResponse:
    item = policies.items.get_visible(request.user, pk)
    if request.method != "POST":
        return forbidden(request)
    entrance.on_page(
        request,
        lambda: commands.move_by_id(
            actor=actor_of(request),
            item_id=item.pk,
            storage_location=request.POST.get("storage_location", ""),
            outside_premises=request.POST.get("storage_outside_premises") == "1",
        ),
        success=_("Storage location recorded."),
    )
    return redirect("classified:item", pk=item.pk)


def item_request(request: HttpRequest, pk: int) -> HttpResponse:
    item = policies.items.get_visible(request.user, pk)
    if not policies.items.can(request.user, policies.REQUEST, item):
        return forbidden(request)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        req = entrance.on_form(
            form, lambda: commands.request_by_id(actor=actor_of(request), item_id=item.pk, **form.cleaned_data)
        )
        if req is not None:
            messages.success(request, _("Request sent for approval."))
            return redirect("classified:item", pk=item.pk)
    intro = custody.copy_refusal(item)
    return render(
        request,
        "classified/form.html",
        {"form": form, "item": item, "title": _("Request a copy, fax or take-out"), "intro": intro},
    )


def item_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    item = policies.items.get_visible(request.user, pk)
    if not policies.items.can(request.user, policies.TRANSFER, item):
        return forbidden(request)
    form = TransferForm(request.POST or None, users=agency_users(item.agency_id, besides=request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        to_user = data.pop("to_user")
        transfer = entrance.on_form(
            form,
            lambda: commands.start_transfer_by_id(
                actor=actor_of(request), item_id=item.pk, to_user_id=to_user.pk if to_user else None, **data
            ),
        )
        if transfer is not None:
            messages.success(request, _("Transfer recorded. Confirm when you have sent it."))
            return redirect("classified:item", pk=item.pk)
    allowed = {
        "inside": [rules.TransferMethod(m).label for m in transfers.allowed_methods(item, external=False)],
        "outside": [rules.TransferMethod(m).label for m in transfers.allowed_methods(item, external=True)],
    }
    return render(
        request, "classified/form.html", {"form": form, "item": item, "title": _("Transfer"), "allowed": allowed}
    )
