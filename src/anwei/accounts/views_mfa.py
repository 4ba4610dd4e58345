"""Sign-in security pages: the second factor (enrolment with a QR code, the code at sign-in, recovery codes), the
password, sign-out everywhere, the lockout page, and the admins' security page (require two-factor for all,
unlock accounts, reset a user's second factor)."""

import django_otp
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from anwei.core import entrance
from anwei.core.decorators import second_factor_exempt
from anwei.core.views import forbidden

from . import lockout, mfa, services
from .actor import actor_of, signed_in_user
from .forms import EnrolmentForm, SecondFactorForm, SecurityPolicyForm
from .models import RecoveryCodeDevice, SecurityPolicy
from .policies import users as policy

ENROLMENT_SESSION_KEY = "anwei_enrolment_device"
CODES_SESSION_KEY = "anwei_new_recovery_codes"


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return "/"


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


@second_factor_exempt
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of sign-in: a code from the authenticator app or a recovery code."""
    user = request.user
    if not mfa.must_verify(user):
        return redirect(_next_url(request))
    if not mfa.enrolled(user):
        return redirect(_with_next("accounts:mfa_setup", request))
    if lockout.is_locked(request, user.username):
        logout(request)
        return locked_out(request)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # the ignore below: user is the signed-in User (the page requires the password step)
        device = services.check_second_factor(user=user, token=form.cleaned_data["token"])  # type: ignore[arg-type]
        if device is not None:
            django_otp.login(request, device)
            request.session.cycle_key()
            lockout.signed_in(user.username)
            if isinstance(device, RecoveryCodeDevice):
                messages.warning(
                    request,
                    _("You signed in with a recovery code. %(n)d codes are left.") % {"n": device.remaining()},
                )
            return redirect(_next_url(request))
        # a wrong code counts as a failed sign-in: on the audit log and towards the lockout
        user_login_failed.send(
            sender=__name__,
            credentials={"username": user.username, "second_factor": True},
            request=request,
        )
        if lockout.is_locked(request, user.username):
            logout(request)
            return locked_out(request)
        form.add_error("token", _("The code is not right. Try again with the code your app shows now."))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next_url(request)})


@second_factor_exempt
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code, type the first code; recovery codes are shown once."""
    user = request.user
    if mfa.enrolled(user) and not mfa.verified(user):
        # replacing the authenticator needs the current one first
        return redirect(_with_next("accounts:mfa_verify", request))
    device = None
    if pk := request.session.get(ENROLMENT_SESSION_KEY):
        device = TOTPDevice.objects.filter(pk=pk, user_id=user.pk, confirmed=False).first()
    if device is None or request.method == "GET":
        # the ignore below: user is the signed-in User (the page requires the password step)
        device = services.start_enrolment(user=user)  # type: ignore[arg-type]
        request.session[ENROLMENT_SESSION_KEY] = device.pk
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = entrance.on_form(
            form,
            lambda: services.confirm_enrolment(
                actor=actor_of(request), device=device, token=form.cleaned_data["token"]
            ),
            field="token",
        )
        if confirmed:
            codes = confirmed.value
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            device.refresh_from_db()
            django_otp.login(request, device)
            request.session.cycle_key()
            request.session[CODES_SESSION_KEY] = codes
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect(_with_next("accounts:mfa_codes", request))
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr": mfa.qr_svg(device.config_url),
            "secret": mfa.secret_base32(device),
            "required": mfa.required_for(user),
            "next": _next_url(request),
        },
    )


def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (POST), shown once right after enrolment or renewal."""
    if not mfa.enrolled(request.user):
        return redirect("accounts:mfa_setup")
    if request.method == "POST":
        request.session[CODES_SESSION_KEY] = services.new_recovery_codes(
            actor=actor_of(request), user=signed_in_user(request)
        )
        return redirect("accounts:mfa_codes")
    codes = request.session.pop(CODES_SESSION_KEY, None)
    return render(request, "accounts/mfa_codes.html", {"codes": codes, "next": _next_url(request)})


@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    """Turn two-factor off — only for users who are not required to use it."""
    if mfa.required_for(request.user):
        messages.error(request, _("Your role requires two-factor sign-in; it cannot be turned off."))
        return redirect("accounts:profile")
    services.remove_second_factor(actor=actor_of(request), user=signed_in_user(request))
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("accounts:profile")


def password_change(request: HttpRequest) -> HttpResponse:
    # the ignore below: request.user is signed in here (the page requires it); stubs say User | AnonymousUser
    form = PasswordChangeForm(request.user, request.POST or None)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        services.change_password(
            actor=actor_of(request), user=signed_in_user(request), password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, request.user)  # type: ignore[arg-type]  # this one goes on, others end
        messages.success(request, _("Your password was changed. You were signed out on every other device."))
        return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    # the ignore below: request.user is signed in here (the page requires it); stubs say User | AnonymousUser
    services.sign_out_everywhere(actor=actor_of(request), user=request.user)  # type: ignore[arg-type]
    logout(request)
    return redirect("accounts:login")


@second_factor_exempt
@login_not_required
def locked_out(request: HttpRequest) -> HttpResponse:
    """Shown instead of the sign-in page while the user name or the address is locked (accounts.lockout), with the
    time it may try again (Retry-After too)."""
    until = getattr(request, lockout.LOCKED_ATTR, None)
    response = render(request, "accounts/locked.html", {"until": until}, status=429)
    if until is not None:
        response["Retry-After"] = str(max(1, int((until - timezone.now()).total_seconds())))
    return response


def security(request: HttpRequest) -> HttpResponse:
    """Admins: require two-factor for everyone; see and unlock locked accounts."""
    if not policy.can(request.user, "accounts.security"):
        return forbidden(request)
    current = SecurityPolicy.current()
    form = SecurityPolicyForm(request.POST or None, initial={"mfa_required_for_all": current.mfa_required_for_all})
    if request.method == "POST" and form.is_valid():
        services.set_mfa_required_for_all(actor=actor_of(request), required=form.cleaned_data["mfa_required_for_all"])
        messages.success(request, _("The security settings were saved."))
        return redirect("accounts:security")
    return render(request, "accounts/security.html", {"form": form, "locked": lockout.locks()[:200]})


@require_POST
def unlock(request: HttpRequest) -> HttpResponse:
    if not policy.can(request.user, "accounts.security"):
        return forbidden(request)
    username = request.POST.get("username", "")[:150]
    address = request.POST.get("address", "")[:45]
    if username or address:
        services.unlock(actor=actor_of(request), username=username, address=address)
        messages.success(request, _("%(user)s can sign in again.") % {"user": username or address})
    return redirect("accounts:security")


@require_POST
def reset_second_factor(request: HttpRequest, pk: int) -> HttpResponse:
    """Admins: remove a user's authenticator (lost phone); they enrol again at their next sign-in."""
    subject = policy.get_visible(request.user, pk)
    if not policy.can(request.user, "accounts.manage", subject):
        return forbidden(request)
    services.remove_second_factor(actor=actor_of(request), user=subject)
    messages.success(request, _("The two-factor sign-in of this user was reset."))
    return redirect("accounts:user", pk=subject.pk)
