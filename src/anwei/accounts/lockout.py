"""Sign-in throttling and lockout (django-axes): the client address it counts by, whether a user name is locked,
and the locked accounts an admin may unlock."""

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from: REMOTE_ADDR, or the proxy's X-Forwarded-For when ANWEI_BEHIND_PROXY
    (the same switch that trusts the proxy's X-Forwarded-Proto)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:45] or None
    return request.META.get("REMOTE_ADDR") or None


def is_locked(request: HttpRequest, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, credentials={"username": username})


def locked_accounts() -> QuerySet[Any]:
    """User names locked now (failures at or over the limit), newest first."""
    return AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).order_by("-attempt_time")
