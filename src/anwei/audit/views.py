from datetime import datetime, time
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from anwei.accounts.actor import actor_of
from anwei.core.csvstream import Column, queryset_csv
from anwei.core.paging import UncountedPage
from anwei.core.rocdate import TAIPEI
from anwei.core.views import forbidden

from . import policies, selectors, services
from .models import AuditEntry


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", "—"), *AuditEntry.Action.choices])
    object_type = forms.CharField(label=_("Record type"), required=False, max_length=80)
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, dict[str, Any]]:
    form = AuditFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    if filters.get("since"):
        filters["since"] = datetime.combine(filters["since"], time.min, TAIPEI)
    if filters.get("until"):
        filters["until"] = datetime.combine(filters["until"], time.max, TAIPEI)
    return form, filters


def index(request: HttpRequest) -> HttpResponse:
    if not policies.entries.can(request.user, "audit.view"):
        return forbidden(request)
    form, filters = _filters(request)
    # reading the log is itself on the log: who looked for what (the filters), page by page
    services.record(
        actor=actor_of(request),
        action=services.Action.VIEW,
        object_type="audit.auditentry",
        changes={"filters": filters, "page": request.GET.get("page") or "1"},
    )
    page = UncountedPage(selectors.entries(request.user, filters), 50, request.GET.get("page"))  # no COUNT over the log
    # the ignore below: request.htmx is set by django-htmx's middleware; HttpRequest's stubs do not know it
    template = "audit/_entries.html" if request.htmx else "audit/index.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "page": page, "checkpoints": selectors.checkpoints()[:7]})


def export_csv(request: HttpRequest) -> HttpResponseBase:
    if not policies.entries.can(request.user, "audit.view"):
        return forbidden(request)
    _form, filters = _filters(request)
    services.record(
        actor=actor_of(request), action="export", object_type="audit.auditentry", changes={"filters": filters}
    )
    columns: list[Column] = [
        (_("No."), "seq"),
        (_("Time"), "at"),
        (_("Who"), "actor_label"),
        (_("Action"), "get_action_display"),
        (_("Record"), "object_type"),
        (_("Record id"), "object_id"),
        (_("Description"), "object_repr"),
        (_("Changes"), "changes"),
        (_("Address"), "ip"),
        (_("Hash"), "hash"),
    ]
    name = _("audit-log")
    return queryset_csv(f"{name}.csv", selectors.entries(request.user, filters), columns)
