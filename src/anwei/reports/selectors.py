from django.db.models import QuerySet

from anwei.accounts.actor import Who
from anwei.plans.models import Plan

from . import policies
from .models import ExportJob


def plans(user: Who) -> QuerySet[Plan]:
    return policies.reports.visible(user).select_related("agency").order_by("-period_start")


def jobs(user: Who) -> QuerySet[ExportJob]:
    """Every export this user may see, newest first (for the CSV)."""
    return policies.jobs.visible(user).select_related("requested_by__person").order_by("-created_at")


def recent_jobs(user: Who, limit: int = 20) -> QuerySet[ExportJob]:
    return policies.jobs.visible(user).order_by("-created_at")[:limit]
