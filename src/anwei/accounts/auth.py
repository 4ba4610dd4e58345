"""API authentication: the browser session (with CSRF) or a personal token `Authorization: Bearer anw_…`."""

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from . import mfa, services
from .actor import Actor, set_actor
from .models import User


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = services.user_for_token(token)
        if user is not None:
            request.user = user
            set_actor(request, Actor.of(user))
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; CSRF is checked for unsafe methods. A session that has not passed a required
    second factor does not count."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)  # absent when no session middleware ran (a bare test request)
        if isinstance(user, User) and user.is_active and not mfa.must_verify(user):
            set_actor(request, Actor.of(user))
            return user
        return None


api_auth = [TokenAuth(), SessionAuth()]
