"""Per-request facts (the client's address, a request id) that the audit log records without every service
having to be handed the request."""

import contextvars
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest


@dataclass
class RequestContext:
    ip: str | None = None
    user_agent: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])


current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("anwei_request", default=None)


def get() -> RequestContext:
    return current.get() or RequestContext()


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from — the one function for it (the audit log and the sign-in lockout alike):
    REMOTE_ADDR, or, when ANWEI_BEHIND_PROXY (the switch that also trusts the proxy's X-Forwarded-Proto), the last
    address of X-Forwarded-For, the one our own proxy appended (earlier ones are the client's to forge)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:45] or None
    return (request.META.get("REMOTE_ADDR") or "")[:45] or None
