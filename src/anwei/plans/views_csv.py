"""CSV downloads of the plans' lists — the plan list, a plan's tasks, roster, contacts and versions — streamed
with a byte-order mark (anwei.core.csvstream), each one on the audit log as an export."""

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from anwei.accounts.actor import actor_of
from anwei.core import rocdate
from anwei.core.csvstream import csv_response, model_columns, queryset_csv
from anwei.directory.models import DutyShift

from . import policies, selectors, services
from .models import Plan, PlanVersion, Task


def _names(units: Any) -> str:
    return "、".join(u.name for u in units.all())


def plans_csv(request: HttpRequest) -> HttpResponseBase:
    status = request.GET.get("status", "")
    status = status if status in Plan.Status.values else ""
    services.record_export(actor=actor_of(request), what="plans", filters={"status": status} if status else None)
    columns = model_columns(Plan, "title", "status", "version", "period_start", "period_end", "approved_at")
    columns.insert(1, (_("Agency"), "agency.name"))
    columns.insert(2, (_("Owning unit"), "owning_unit.name"))
    name = _("plans")
    return queryset_csv(f"{name}.csv", selectors.plans_for(request.user, status=status), columns)


def tasks_csv(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The tasks of a plan this user may see, as CSV (status and dates included)."""
    plan = policies.plans.get_visible(request.user, pk)
    services.record_export(actor=actor_of(request), what="tasks", plan=plan)
    tasks = policies.tasks.visible(request.user, plan.tasks.all()).prefetch_related(
        "responsible_units", "cooperating_units"
    )
    columns = model_columns(Task, "number", "text", "status", "due_at", "recurrence", "updated_at")
    columns.insert(2, (_("Responsible units"), lambda t: _names(t.responsible_units)))
    columns.insert(3, (_("Cooperating units (協請)"), lambda t: _names(t.cooperating_units)))
    name = _("tasks")
    return queryset_csv(f"{plan.title} {name}.csv", tasks.order_by("position", "pk"), columns)


def _on_duty(shift: DutyShift) -> str:
    who = shift.substitute if shift.primary_unavailable and shift.substitute else shift.person
    return who.name if who else _("(nobody — gap in the roster)")


def roster_csv(request: HttpRequest, pk: int) -> HttpResponseBase:
    plan = policies.plans.get_visible(request.user, pk)
    services.record_export(actor=actor_of(request), what="roster", plan=plan)
    columns: list[Any] = [
        (_("Duty kind"), "kind.name"),
        (_("Shift starts"), lambda s: rocdate.format_datetime(s.starts_at)),
        (_("Shift ends"), lambda s: rocdate.format_datetime(s.ends_at, end=True)),
        (_("On duty"), lambda s: s.person.name if s.person else ""),
        (_("Substitute"), lambda s: s.substitute.name if s.substitute else ""),
        (_("On-duty person unavailable"), lambda s: _("yes") if s.primary_unavailable else ""),
        (_("Who answers"), _on_duty),
        (_("Handover note"), "handover_note"),
    ]
    name = _("duty roster")
    return queryset_csv(f"{plan.title} {name}.csv", selectors.roster(plan), columns)


def contacts_csv(request: HttpRequest, pk: int) -> HttpResponseBase:
    plan = policies.plans.get_visible(request.user, pk)
    services.record_export(actor=actor_of(request), what="contacts", plan=plan)
    kinds = {"mobile": _("Mobile"), "fax": _("Fax")}

    def rows() -> Iterator[list[str]]:
        for line in selectors.contact_sheet(plan):
            phones = "；".join(
                f"{kinds.get(p.kind, _('Office'))} {p.number}" + (f" {_('ext.')}{p.ext}" if p.ext else "")
                for p in line.phones
            )
            yield [line.name, line.title, line.where, phones]

    header = [pgettext("person", "Name"), pgettext("person", "Title"), _("Unit or organisation"), _("Phone")]
    name = _("contacts")
    return csv_response(f"{plan.title} {name}.csv", header, rows())


def versions_csv(request: HttpRequest, pk: int) -> HttpResponseBase:
    plan = policies.plans.get_visible(request.user, pk)
    services.record_export(actor=actor_of(request), what="versions", plan=plan)
    changes = {line.version.pk: "；".join(line.changes) for line in selectors.version_history(plan)}
    columns: list[Any] = [
        (_("Version"), "number"),
        (_("When"), lambda v: rocdate.format_datetime(v.created_at)),
        (_("Who"), lambda v: v.created_by.display_name if v.created_by else ""),
        (_("Reason"), "reason"),
        (_("What changed"), lambda v: changes.get(v.pk, "")),
    ]
    versions = PlanVersion.objects.filter(plan=plan).select_related("created_by").order_by("number")
    name = _("versions")
    return queryset_csv(f"{plan.title} {name}.csv", versions, columns)
