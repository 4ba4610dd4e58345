"""The superior's pages beyond the board: links of subordinate agencies (the token shown once), the combined
results report and a subordinate's results document (downloads audited); and, on the subordinate, filing the
period's results report upward."""

from datetime import date

from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anwei.accounts.actor import actor_of
from anwei.core import entrance
from anwei.core.views import forbidden
from anwei.directory.models import Agency
from anwei.incidents.rules import CATEGORIES
from anwei.reports import policies as report_policies

from . import combined, outbox, policies, results, services
from .forms import LinkForm
from .models import Link

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def links(request: HttpRequest) -> HttpResponse:
    if not policies.can_manage_links(request.user):
        return forbidden(request)
    token, form = None, LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        superior = Agency.objects.get(pk=policies.superior_agencies(request.user, "upward.manage_links")[0])
        done = entrance.on_form(
            form,
            lambda: services.link_subordinate(
                actor=actor_of(request),
                superior=superior,
                agency_code=form.cleaned_data["agency_code"],
                name=form.cleaned_data["name"],
            ),
        )
        if done is not None:
            _link, token = done.value
            form = LinkForm()
    rows = (
        Link.objects.filter(agency_id__in=policies.managed_links(request.user))
        .select_related("agency")
        .annotate(last_filed_at=Max("filings__received_at"))
    )
    return render(
        request, "upward/links.html", {"links": rows, "form": form, "token": token}, status=400 if form.errors else 200
    )


@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if not policies.can_manage_links(request.user):
        return forbidden(request)
    link = get_object_or_404(Link, pk=pk, agency_id__in=policies.managed_links(request.user))
    services.revoke_link(actor=actor_of(request), link=link)
    return redirect("upward:links")


def combined_report(request: HttpRequest, fmt: str) -> HttpResponse:
    if not policies.can_view_rollup(request.user):
        return forbidden(request)
    if fmt not in CONTENT_TYPES:
        raise Http404
    try:
        first = date.fromisoformat(request.GET.get("from", ""))
        last = date.fromisoformat(request.GET.get("to", ""))
    except ValueError as exc:
        raise Http404 from exc
    if last < first or (last - first).days > 366:
        raise Http404
    content = combined.render(actor=actor_of(request), first=first, last=last, fmt=fmt)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"combined-results-{first.isoformat()}-{last.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def results_document(request: HttpRequest, pk: int) -> HttpResponse:
    if not policies.can_view_rollup(request.user):
        return forbidden(request)
    found = combined.download_document(actor=actor_of(request), results_id=pk)
    if found is None or found.document is None:
        raise Http404
    content_type = CONTENT_TYPES.get(found.document_format, "application/octet-stream")
    response = HttpResponse(bytes(found.document), content_type=content_type)
    name = f"results-{found.agency.code}-{found.plan_ref}.{found.document_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def file_results(request: HttpRequest, plan_id: int) -> HttpResponse:
    """On the subordinate: the ethics office files the period's results report upward (GET shows what goes)."""
    plan = report_policies.reports.get_visible(request.user, plan_id)
    if not report_policies.reports.can(request.user, "upward.file_results", plan):
        return forbidden(request)
    error, done = "", False
    if request.method == "POST":
        outcome = entrance.run(lambda: results.file_results(actor=actor_of(request), plan=plan))
        if isinstance(outcome, entrance.Refused):
            error = outcome.message
        else:
            done = True
    figures = results.figures(plan.agency_id, plan.period_start, plan.period_end)
    linked = outbox.upstream_agency_code() == plan.agency.code or plan.agency.superior_id is not None
    context = {
        "plan": plan,
        "figures": figures,
        "categories": [(code, _category(code), row) for code, row in figures["incidents"].items()],
        "linked": linked,
        "error": error if linked else _("This agency has no superior to file with."),
        "done": done,
    }
    return render(request, "upward/file_results.html", context, status=400 if error else 200)


def _category(code: str) -> str:
    return str(CATEGORIES[code]) if code in CATEGORIES else code
