"""The unit tree: add, edit, move, deactivate and reactivate units (directory.manage_units)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anwei.accounts.actor import actor_of
from anwei.core import entrance
from anwei.core.csvstream import model_columns, queryset_csv
from anwei.core.views import forbidden

from . import policies, selectors, services
from .forms import UnitForm
from .models import Unit

FIELDS = ["name", "name_en", "code", "kind", "sort_order"]


def unit_list(request: HttpRequest) -> HttpResponse:
    if not policies.units.can(actor_of(request), "directory.manage_units"):
        return forbidden(request)
    return render(request, "directory/units.html", {"units": selectors.units_to_manage(actor_of(request))})


def units_csv(request: HttpRequest) -> HttpResponseBase:
    """The units the user manages, as the list shows them, audited."""
    if not policies.units.can(actor_of(request), "directory.manage_units"):
        return forbidden(request)
    units = selectors.units_to_manage(actor_of(request)).select_related("parent")
    services.record_export(actor=actor_of(request), what="directory.unit", rows=units.count(), format="csv")
    columns = [
        *model_columns(Unit, "name", "code", "kind", "parent"),
        (Unit._meta.get_field("active").verbose_name, lambda u: _("yes") if u.active else _("no")),
    ]
    return queryset_csv(f"{_('units')}.csv", units, columns)


def unit_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    unit = policies.units.get_visible(actor_of(request), pk) if pk else None
    if not policies.units.can(actor_of(request), "directory.manage_units", unit):
        return forbidden(request)
    form = UnitForm(request.POST or None, instance=unit, parents=selectors.parents_for(actor_of(request), unit))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in FIELDS}
        actor = actor_of(request)
        if pk is None:
            parent_id = form.cleaned_data["parent"].pk
            saved = entrance.on_form(
                form, lambda: services.create_unit_under(actor=actor, parent_id=parent_id, **fields)
            )
        else:
            if "parent" in form.cleaned_data:
                fields["parent"] = form.cleaned_data["parent"]
            saved = entrance.on_form(form, lambda: services.update_unit_by_id(actor=actor, unit_id=pk, **fields))
        if saved:
            messages.success(request, _("Saved."))
            return redirect("directory:units")
    return render(request, "directory/unit_form.html", {"form": form, "unit": unit})


@require_POST
def unit_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (active=0) or reactivate (active=1) a unit."""
    active = request.POST.get("active") == "1"
    entrance.on_page(
        request,
        lambda: services.update_unit_by_id(actor=actor_of(request), unit_id=pk, active=active),
        success=_("The unit was reactivated.") if active else _("The unit was deactivated."),
    )
    return redirect("directory:units")
