from typing import Any

from django.db.models import QuerySet

from anwei.plans.models import Plan

from . import policies
from .models import ExportJob


def plans(user: Any) -> QuerySet[Plan]:
    return policies.reports.visible(user).select_related("agency").order_by("-period_start")


def jobs(user: Any) -> QuerySet[ExportJob]:
    """Every export this user may see, newest first (for the CSV)."""
    return policies.jobs.visible(user).select_related("requested_by__person").order_by("-created_at")


def recent_jobs(user: Any, limit: int = 20) -> QuerySet[ExportJob]:
    return policies.jobs.visible(user).order_by("-created_at")[:limit]
