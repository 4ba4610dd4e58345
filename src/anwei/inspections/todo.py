"""The inspections' share of the to-do list (core.todo): corrective actions (改善措施) the user's unit must answer, and
answered ones waiting for this user's verification — never an action of their own (policies.ActionPolicy)."""

from collections.abc import Iterable
from datetime import datetime, time

from django.urls import reverse
from django.utils.translation import gettext as _

from anwei.accounts.actor import Who
from anwei.core.rocdate import TAIPEI
from anwei.core.todo import TodoItem

from . import policies
from .models import CorrectiveAction


def _due_at(action: CorrectiveAction) -> datetime:
    """The end of the due day, office time."""
    return datetime.combine(action.due_on, time(23, 59), tzinfo=TAIPEI)


def items(user: Who, now: datetime) -> Iterable[TodoItem]:
    actions = policies.actions
    visible = actions.visible(user).select_related("unit", "finding__inspection__round")
    to_answer = visible.filter(
        actions.scope(user, "inspections.answer").q("unit"), status=CorrectiveAction.Status.OPEN
    ).order_by("due_on", "pk")
    for action in to_answer:
        yield TodoItem(
            kind="corrective_action",
            title=_("Answer the corrective action for %(unit)s") % {"unit": action.unit.name},
            url=reverse("inspections:action", args=[action.pk]),
            due_at=_due_at(action),
            detail=action.required,
        )
    answered = visible.filter(status=CorrectiveAction.Status.ANSWERED).order_by("answered_at", "pk")
    for action in answered:
        if not actions.can(user, "inspections.verify", action):
            continue
        yield TodoItem(
            kind="corrective_action",
            title=_("Verify the corrective action of %(unit)s") % {"unit": action.unit.name},
            url=reverse("inspections:action", args=[action.pk]),
            due_at=None,
            detail=action.response,
        )
