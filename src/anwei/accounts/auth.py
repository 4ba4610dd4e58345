"""API authentication: the browser session (with CSRF) or a personal token `Authorization: Bearer anw_…`."""

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from . import mfa, services


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; CSRF is checked for unsafe methods. A session that has not passed a required
    second factor does not count."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active and not mfa.must_verify(user):
            return user
        return None


api_auth = [TokenAuth(), SessionAuth()]
