"""A call of the API with a personal token passes the pages' middleware (issue 20: a filing spent a twentieth of its
time in middleware made for browsers).

A token call — a path under /api/ with `Authorization: Bearer …` — has no session, no cookies, no forms, no
messages, no htmx and no static files: the token alone says who calls (auth.TokenAuth sets the user and the
actor), even when a session cookie comes with it. So the middleware below, each a subclass of the one it is
named after, hands such a call straight on; for every other request it does all it did. What every request
keeps — the security headers, the frame denial and the content security policy, the host check, the language,
the refusal of NUL, the request context of the audit log, the API's error shape, the 503 on a lost database — is
in settings.MIDDLEWARE as before. `AuthenticationMiddleware` leaves an anonymous user on a token call, which the
token's authentication replaces."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth import middleware as auth
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import middleware as messages
from django.http import HttpRequest
from django_htmx import middleware as htmx
from django_otp import middleware as otp
from whitenoise import middleware as whitenoise

from anwei.core import middleware as core

from . import middleware as accounts


def is_token_call(request: HttpRequest) -> bool:
    """A call of the API that presents a personal token."""
    return request.path_info.startswith("/api/") and request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")


def pages_only[M](middleware: type[M], on_token_call: Callable[[HttpRequest], None] | None = None) -> type[M]:
    """`middleware`, handing a token call straight on (after `on_token_call`, if given)."""

    def __call__(self: Any, request: HttpRequest) -> Any:
        if is_token_call(request):
            if on_token_call is not None:
                on_token_call(request)
            return self.get_response(request)
        return middleware.__call__(self, request)

    return type(middleware.__name__, (middleware,), {"__call__": __call__, "__module__": __name__})


def _anonymous(request: HttpRequest) -> None:
    request.user = AnonymousUser()


WhiteNoiseMiddleware = pages_only(whitenoise.WhiteNoiseMiddleware)
SessionMiddleware = pages_only(core.SessionMiddleware)
AuthenticationMiddleware = pages_only(auth.AuthenticationMiddleware, _anonymous)
OTPMiddleware = pages_only(otp.OTPMiddleware)
ActorMiddleware = pages_only(accounts.ActorMiddleware)
MessageMiddleware = pages_only(messages.MessageMiddleware)
HtmxMiddleware = pages_only(htmx.HtmxMiddleware)
