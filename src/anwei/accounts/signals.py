"""Sign-in, sign-out and failed sign-in go on the audit log and feed the throttle (accounts.lockout, which records
the lockouts); `credentials_revoked` tells other apps that a user's standing credentials end."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal, receiver

from anwei.audit import services as audit

from . import lockout, mfa

# Sent inside the transaction of a password change or "sign out everywhere" with `user`, `actor` and `reason`:
# an app that hands out credentials standing for a user without a session (calendar links) revokes them, audited.
credentials_revoked = Signal()


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(actor=user, action=audit.Action.LOGIN, obj=user, object_repr=user.username)
    if not mfa.must_verify(user):  # signed in fully; otherwise the second-factor page clears the count
        lockout.signed_in(user.username)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(actor=user, action=audit.Action.LOGOUT, obj=user, object_repr=user.username)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    changes = {"second_factor": "wrong code"} if credentials.get("second_factor") else {}
    audit.record(
        actor=None,
        action=audit.Action.LOGIN_FAILED,
        object_type="accounts.user",
        object_repr=username,
        actor_label=username,
        changes=changes,
    )
    until = lockout.record_failure(request, username)
    if until is not None and request is not None:
        setattr(request, lockout.LOCKED_ATTR, until)
