"""CSV downloads of the inspection lists (rounds, corrective actions, a target's history): streamed, UTF-8 with a
BOM, only what the user may see, and each download on the audit log as an export."""

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from anwei.accounts.actor import actor_of
from anwei.core.csvstream import Column, queryset_csv
from anwei.core.views import forbidden
from anwei.directory.policies import units as unit_policy

from . import policies, selectors, services
from .models import ChecklistItem, CorrectiveAction, Inspection, Round


def rounds_csv(request: HttpRequest) -> HttpResponseBase:
    """The rounds on the index page, with their progress."""
    if not policies.templates.can(actor_of(request), "inspections.view"):
        return forbidden(request)
    status = request.GET.get("status", "")[:10]
    columns: list[Column] = [
        (_("Round"), "title"),
        (_("Checklist"), "version.template.name"),
        (_("Version"), "version.number"),
        (_("Plan"), "plan.title"),
        (_("Organising unit"), "unit.name"),
        (_("From"), "starts_on"),
        (_("To"), "ends_on"),
        (_("Recurrence"), "get_recurrence_display"),
        (_("Status"), "get_status_display"),
        (_("Done"), "done"),
        (_("Targets"), "total"),
    ]
    services.record_list_export(actor=actor_of(request), model=Round, filters={"status": status})
    name = _("inspection rounds")
    return queryset_csv(f"{name}.csv", selectors.rounds(actor_of(request), status=status), columns)


def actions_csv(request: HttpRequest) -> HttpResponseBase:
    """The corrective actions the user may see (the unit its own), as on the list page, with the same filter."""
    status = request.GET.get("status", "")[:10]
    columns: list[Column] = [
        (_("Unit"), "unit.name"),
        (_("Finding"), "finding.item.question"),
        (pgettext("finding", "Severity"), "finding.get_severity_display"),
        (_("Round"), "finding.inspection.round.title"),
        (_("Due on"), "due_on"),
        (_("Status"), "get_status_display"),
        (_("Overdue"), lambda a: _("yes") if a.overdue else ""),
        (_("Answered at"), "answered_at"),
        (_("Times sent back"), "times_returned"),
        (_("Closed at"), "closed_at"),
    ]
    services.record_list_export(actor=actor_of(request), model=CorrectiveAction, filters={"status": status})
    name = _("corrective actions")
    return queryset_csv(f"{name}.csv", selectors.actions(actor_of(request), status=status), columns)


def target_history_csv(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Every inspection of one unit the user may see, newest first."""
    unit = unit_policy.get_visible(actor_of(request), pk)
    if not policies.rounds.can(actor_of(request), "inspections.view"):
        return forbidden(request)
    columns: list[Column] = [
        (_("Date"), "due_on"),
        (_("Checklist"), "round.version"),
        (_("Round"), "round.title"),
        (_("Status"), "get_status_display"),
        (_("Submitted at"), "submitted_at"),
        (_("Findings"), "n_findings"),
    ]
    services.record_list_export(actor=actor_of(request), model=Inspection, filters={"target": unit.pk})
    name = _("inspection history")
    return queryset_csv(f"{name} {unit.name}.csv", selectors.target_history(actor_of(request), unit), columns)


def template_csv(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One checklist version's items (the current one, or ?version=N), as the template page lists them."""
    template = policies.templates.get_visible(actor_of(request), pk)
    version = template.current
    if request.GET.get("version"):
        version = template.versions.filter(number=request.GET["version"][:6]).first() or version
    columns: list[Column] = [
        (_("Section"), "section"),
        (_("Question"), "question"),
        (_("Guidance"), "guidance"),
        (_("Answer type"), "get_answer_type_display"),
        (_("Severity when failed"), "get_severity_display"),
    ]
    services.record_list_export(
        actor=actor_of(request),
        model=ChecklistItem,
        filters={"template": template.pk, "version": getattr(version, "number", 0)},
    )
    items = version.items.order_by("order", "pk") if version else ChecklistItem.objects.none()
    return queryset_csv(f"{template.name} v{getattr(version, 'number', 0)}.csv", items, columns)
