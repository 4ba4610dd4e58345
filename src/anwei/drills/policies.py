"""Drills belong to the agency: the ethics office (and administrators) prepare and run them; the agency head and
auditors read them and their reports."""

from typing import Any

from django.db.models import QuerySet

from anwei.accounts.actor import Actor, Who
from anwei.accounts.roles import Role, grant
from anwei.core.policies import Policy
from anwei.directory.models import Unit

from .models import Exercise

grant("drills.view", Role.ADMIN, Role.ETHICS_OFFICER, Role.AGENCY_HEAD, Role.AUDITOR)
grant("drills.run", Role.ADMIN, Role.ETHICS_OFFICER)


def agencies_covered(user: Who, action: str) -> list[int]:
    """The agencies whose whole unit tree the user's role for `action` covers."""
    if not Actor.of(user).is_authenticated:
        return []
    scope = exercises.scope(user, action)
    if scope.empty:
        return []
    roots = Unit.objects.filter(parent__isnull=True).only("pk", "path", "agency_id")
    return [root.agency_id for root in roots if scope.covers(root)]


class ExercisePolicy(Policy):
    model = Exercise
    view_action = "drills.view"

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else Exercise.objects.all()
        return qs.filter(agency_id__in=agencies_covered(user, self.view_action))

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if obj is None:
            return super().can(user, action)
        return obj.agency_id in agencies_covered(user, action)


exercises = ExercisePolicy()
