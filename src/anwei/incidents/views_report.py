"""The investigation report of a cyber incident: the guided form (phone-friendly), its PDF and ODT, and the
notification text for the national platform's web form."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from anwei.accounts.actor import actor_of
from anwei.core import entrance
from anwei.core.views import forbidden
from anwei.reports import render as formats

from . import investigation, policies
from .forms_report import InvestigationReportForm
from .services import REPORT_FIELDS
from .views import load_for_page


def investigation_report(request: HttpRequest, pk: int) -> HttpResponse:
    incident = load_for_page(request, pk)
    if incident.category != "cyber":
        raise Http404
    can_edit = policies.incidents.can(actor_of(request), "incidents.handle", incident) and incident.is_open
    initial = {name: getattr(incident, name) for name in REPORT_FIELDS}
    if incident.occurred_at:
        initial["occurred_at"] = timezone.localtime(incident.occurred_at)
    form = InvestigationReportForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_edit:
            return forbidden(request)
        if form.is_valid():
            data = dict(form.cleaned_data)
            saved = entrance.on_form(
                form, lambda: investigation.save_report(actor=actor_of(request), incident_id=pk, **data)
            )
            if saved:
                messages.success(request, _("Saved."))
                return redirect("incidents:investigation_report", pk=incident.pk)
    return render(
        request,
        "incidents/investigation_report.html",
        {
            "incident": incident,
            "form": form,
            "can_edit": can_edit,
            "clock": investigation.clock(incident),
            "platform_text": investigation.platform_text(incident),
        },
    )


def _download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    incident = load_for_page(request, pk)
    if incident.category != "cyber":
        raise Http404
    report = investigation.document(incident, actor_of(request))
    if kind == "pdf":
        response = HttpResponse(formats.pdf(report), content_type="application/pdf")
    else:
        response = HttpResponse(formats.odt(report), content_type="application/vnd.oasis.opendocument.text")
    response["Content-Disposition"] = f'attachment; filename="investigation-report-{incident.pk}.{kind}"'
    return response


def investigation_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "pdf")


def investigation_report_odt(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "odt")
