"""Sign-in throttling and lockout (django-axes): whether a user name is locked, and the locked accounts an admin may
unlock. The client address axes records is anwei.core.context.client_ip, the one the audit log records too."""

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest


def is_locked(request: HttpRequest, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, credentials={"username": username})


def locked_accounts() -> QuerySet[Any]:
    """User names locked now (failures at or over the limit), newest first."""
    return AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).order_by("-attempt_time")
