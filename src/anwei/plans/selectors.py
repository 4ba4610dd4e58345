from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from anwei.directory.models import Agency

from .models import Plan

LIVE = (Plan.Status.APPROVED, Plan.Status.ACTIVE)


def active_plan(agency: Agency | int, at: datetime | None = None) -> Plan | None:
    """The approved or active plan whose period contains `at` (default now); the latest-starting one if several."""
    at = at or timezone.now()
    return (
        Plan.objects.filter(agency=agency, status__in=LIVE, period_start__lte=at, period_end__gt=at)
        .order_by("-period_start")
        .first()
    )


def plans_of(agency: Agency | int) -> QuerySet[Plan]:
    return Plan.objects.filter(agency=agency)
