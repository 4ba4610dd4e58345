"""Per-request facts (the client's address, a request id) that the audit log records without every service
having to be handed the request."""

import contextvars
import uuid
from dataclasses import dataclass, field


@dataclass
class RequestContext:
    ip: str | None = None
    user_agent: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])


current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("anwei_request", default=None)


def get() -> RequestContext:
    return current.get() or RequestContext()
