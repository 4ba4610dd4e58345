from datetime import datetime, time

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from anwei.accounts.scope import can_anywhere
from anwei.core.rocdate import TAIPEI
from anwei.core.views import forbidden

from . import selectors
from .models import AuditEntry


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", "—"), *AuditEntry.Action.choices])
    object_type = forms.CharField(label=_("Record type"), required=False, max_length=80)
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def index(request: HttpRequest) -> HttpResponse:
    if not can_anywhere(request.user, "audit.view"):
        return forbidden(request)
    form = AuditFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    if filters.get("since"):
        filters["since"] = datetime.combine(filters["since"], time.min, TAIPEI)
    if filters.get("until"):
        filters["until"] = datetime.combine(filters["until"], time.max, TAIPEI)
    page = Paginator(selectors.entries(filters), 50).get_page(request.GET.get("page"))
    template = "audit/_entries.html" if request.htmx else "audit/index.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "page": page, "checkpoints": selectors.checkpoints()[:7]})
