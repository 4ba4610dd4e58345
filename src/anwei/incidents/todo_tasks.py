"""To-do items of kind "task": open tasks of reports given to a unit this user answers for — its own people,
the supervisor above a unit with no account holder, or the ethics office as such a unit's proxy
(policies.tasks / accounts.selectors.who_serves). The title names the task and the report's reference only:
the report itself stays with those who may see it. (Wired into incidents/todo.py by its owner.)"""

from collections.abc import Iterator
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, Who
from anwei.core.todo import TodoItem
from anwei.directory.models import Unit

from . import policies
from .models import Incident, IncidentTask


def open_tasks(user: Who) -> list[IncidentTask]:
    """Open tasks of open reports in the user's agency that the user answers for: a few queries, whatever the
    number of tasks (who answers is worked out once per unit that has an open task)."""
    agency_id = Actor.of(user).agency_id
    if not Actor.of(user).is_authenticated or agency_id is None:
        return []
    waiting = IncidentTask.objects.filter(
        done_at__isnull=True, unit__isnull=False, incident__agency_id=agency_id
    ).exclude(incident__status=Incident.Status.CLOSED)
    units = Unit.objects.filter(pk__in=waiting.values("unit_id"))
    mine = policies.tasks.units_served_by(user, units)
    if not mine:
        return []
    return list(waiting.filter(unit_id__in=mine).select_related("unit", "incident").order_by("due_at", "pk"))


def items(user: Who, now: datetime) -> Iterator[TodoItem]:
    for task in open_tasks(user):
        title = _("%(task)s (report %(ref)s, %(unit)s)") % {
            "task": task.title,
            "ref": task.incident.reference,
            "unit": task.unit,
        }
        detail = _("forwarded by the ethics office (由政風室代轉)") if task.via_proxy else ""
        yield TodoItem(
            kind="task",
            title=title,
            url=reverse("incidents:task_detail", args=[task.pk]),
            due_at=task.due_at,
            detail=detail,
        )
