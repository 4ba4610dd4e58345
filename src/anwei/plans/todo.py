"""The plans' share of the to-do list (core.todo): the task reports (辦理情形) the user's unit owes — a one-off task
of a live plan not finished and due within a week (or overdue), and each day (or week) of a recurring task that has
begun and nobody has reported yet. "The user's unit" is the unit the person belongs to and the units they hold a
staff or supervisor role on (with their sub-units); an agency-wide role does not make every unit's task theirs."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from anwei.accounts.actor import Actor, Who
from anwei.accounts.models import RoleAssignment
from anwei.accounts.roles import Role
from anwei.core import rocdate
from anwei.core.todo import TodoItem

from . import policies, recurrence
from .models import OccurrenceReport, Plan, Task

SOON = timedelta(days=7)  # a one-off task shows this long before it is due [assumed]


def unit_paths(user: Who) -> list[str]:
    """The unit-tree paths of the user's own units."""
    actor = Actor.of(user)
    person = actor.person
    paths = [person.unit.path] if person is not None and person.unit is not None else []
    if actor.user_id is None:
        return paths
    held = RoleAssignment.objects.filter(user_id=actor.user_id, role__in=(Role.STAFF, Role.UNIT_SUPERVISOR))
    paths += [path for path in held.values_list("unit__path", flat=True) if path]
    return sorted(set(paths))


def _tasks_of_my_units(user: Who) -> Any:
    paths = unit_paths(user)
    if not paths or not policies.tasks.can(user, "plans.task_update"):  # only those who may report are asked to
        return Task.objects.none()
    mine = Q()
    for path in paths:
        mine |= Q(responsible_units__path__startswith=path)
    return (
        policies.tasks.visible(user)
        .filter(mine, plan__status__in=(Plan.Status.APPROVED, Plan.Status.ACTIVE))
        .exclude(status__in=(Task.Status.DONE, Task.Status.NOT_APPLICABLE))
        .select_related("plan")
        .distinct()
        .order_by("plan_id", "position", "pk")
    )


def _title(task: Task) -> str:
    return f"{task.number} {task.text[:40]}".strip()


def items(user: Who, now: datetime) -> Iterable[TodoItem]:
    tasks = list(_tasks_of_my_units(user))
    reported = set(
        OccurrenceReport.objects.filter(task__in=[t.pk for t in tasks if t.recurrence]).values_list("task_id", "day")
    )
    for task in tasks:
        url = reverse("plans:task", args=[task.pk])
        if not task.recurrence:
            if task.due_at is not None and task.due_at <= now + SOON:
                yield TodoItem(
                    kind="report_due",
                    title=_("Report on the task: %(task)s") % {"task": _title(task)},
                    url=url,
                    due_at=task.due_at,
                    detail=task.plan.title,
                )
            continue
        for occurrence in recurrence.of_task(task):
            if occurrence.starts_at > now or (task.pk, occurrence.day) in reported:
                continue
            yield TodoItem(
                kind="report_due",
                title=_("Report the task done on %(day)s: %(task)s")
                % {"day": rocdate.format_date(occurrence.day), "task": _title(task)},
                url=url,
                due_at=occurrence.due_at,
                detail=task.plan.title,
            )
