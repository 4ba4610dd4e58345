from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anwei.core import entrance

from . import lockout, mfa, services, views_mfa
from .actor import actor_of
from .forms import TokenForm
from .models import ApiToken


class LoginView(auth_views.LoginView):
    """The password step; a user who needs the second factor goes on to it (or to enrolment) at once."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        if getattr(self.request, lockout.LOCKED_ATTR, None) is not None:  # this failure locked it, or it was locked
            return views_mfa.locked_out(self.request)
        return super().form_invalid(form)

    def get_success_url(self) -> str:
        url = super().get_success_url()
        if mfa.must_verify(self.request.user):
            step = "accounts:mfa_verify" if mfa.enrolled(self.request.user) else "accounts:mfa_setup"
            return f"{reverse(step)}?{urlencode({'next': url})}"
        return url


def profile(request: HttpRequest) -> HttpResponse:
    new_token = request.session.pop("new_token", None)
    return render(
        request,
        "accounts/profile.html",
        {
            # the ignore below: request.user is signed in here (the page requires it); stubs say User | AnonymousUser
            "assignments": request.user.role_assignments.select_related("unit"),  # type: ignore[union-attr]
            # the ignore below: request.user is signed in here (the page requires it); stubs say User | AnonymousUser
            "tokens": request.user.api_tokens.filter(revoked_at__isnull=True),  # type: ignore[union-attr]
            "new_token": new_token,
            "two_factor": mfa.enrolled(request.user),
            "two_factor_required": mfa.required_for(request.user),
            "recovery_left": (device.remaining() if (device := mfa.recovery_device(request.user)) else 0),
        },
    )


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("accounts:profile")
    data = form.cleaned_data
    user = actor_of(request).user
    assert user is not None  # the page is for the signed-in only
    outcome = entrance.run(
        lambda: services.create_own_token(user=user, name=data["name"], password=data["password"], code=data["code"])
    )
    if isinstance(outcome, entrance.Refused):
        # guessing the password or the code here counts like at the sign-in (audit log, lockout)
        user_login_failed.send(
            sender=__name__,
            credentials={"username": user.get_username(), "second_factor": outcome.field == "code"},
            request=request,
        )
        messages.error(request, outcome.message)
        return redirect("accounts:profile")
    _token, raw = outcome.value
    request.session["new_token"] = raw
    messages.success(request, _("A new API token was created. Copy it now: it is shown only once."))
    return redirect("accounts:profile")


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_token(actor=actor_of(request), token=token)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:profile")
