"""Reports cover a whole agency, so they are for those whose role covers the agency: admins, ethics officers, the
agency head and auditors. An export job belongs to whoever asked for it; the worker's own daily reports belong to
everyone who may view reports of that agency."""

from typing import Any

from django.db.models import Q, QuerySet

from anwei.accounts.actor import Actor, Who
from anwei.accounts.roles import Role, grant
from anwei.core.policies import Policy
from anwei.directory.models import Unit
from anwei.plans.models import Plan

from .models import ExportJob

grant("reports.view", Role.ADMIN, Role.ETHICS_OFFICER, Role.AGENCY_HEAD, Role.AUDITOR)
grant("reports.export", Role.ADMIN, Role.ETHICS_OFFICER, Role.AGENCY_HEAD, Role.AUDITOR)


def agencies_covered(user: Who, action: str = "reports.view") -> list[int]:
    if not Actor.of(user).is_authenticated:
        return []
    scope = reports.scope(user, action)
    if scope.empty:
        return []
    roots = Unit.objects.filter(parent__isnull=True).only("pk", "path", "agency_id")
    return [root.agency_id for root in roots if scope.covers(root)]


class ReportPolicy(Policy):
    """Over plans: may this user see the reports of this plan?"""

    model = Plan
    view_action = "reports.view"

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else Plan.objects.all()
        return qs.filter(agency_id__in=agencies_covered(user))

    def can(self, user: Who, action: str, obj: Any = None) -> bool:
        if obj is None:
            return super().can(user, action)
        return obj.agency_id in agencies_covered(user, action)


class ExportJobPolicy(Policy):
    model = ExportJob
    view_action = "reports.view"

    def visible(self, user: Who, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = queryset if queryset is not None else ExportJob.objects.all()
        if not Actor.of(user).is_authenticated:
            return qs.none()
        mine_or_the_agencys = Q(requested_by=user) | Q(requested_by__isnull=True)
        return qs.filter(mine_or_the_agencys, agency_id__in=agencies_covered(user))


reports = ReportPolicy()
jobs = ExportJobPolicy()
