"""Two-factor gate: a signed-in user who must pass the second factor sees only the second-factor pages (and may
sign out) until they have — public pages included: a password-only session cannot open a signed link (an
acknowledgement link stops an escalation) or the sign-in page as someone half signed in. The API is marked exempt
because it has its own gate (accounts.auth.SessionAuth refuses such a session; a token stands alone). Runs after
django-otp's middleware and Django's LoginRequiredMiddleware."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from . import mfa
from .actor import Actor, set_actor


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if getattr(view_func, "second_factor_exempt", False):
            return None  # the second-factor pages, sign-out, the lockout page, the language switch, the API
        if not mfa.must_verify(request.user):
            return None  # signed in fully, or not at all (public views then answer as they do to anyone)
        target = "accounts:mfa_verify" if mfa.enrolled(request.user) else "accounts:mfa_setup"
        return redirect_to_login(request.get_full_path(), reverse(target))


class ActorMiddleware:
    """Builds the request's Actor once, after sign-in and the second factor (read it with `actor_of(request)`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        set_actor(request, Actor.of(request.user))
        return self.get_response(request)
