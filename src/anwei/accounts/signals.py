"""Sign-in, sign-out, failed sign-in and lockout go on the audit log; `credentials_revoked` tells other apps that
a user's standing credentials end."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import Signal, receiver

from anwei.audit import services as audit

# Sent inside the transaction of a password change or "sign out everywhere" with `user`, `actor` and `reason`:
# an app that hands out credentials standing for a user without a session (calendar links) revokes them, audited.
credentials_revoked = Signal()


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(actor=user, action=audit.Action.LOGIN, obj=user, object_repr=user.username)


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


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any = None, username: str | None = None, **kwargs: Any) -> None:
    username = str(username or "")[:150]
    audit.record(
        actor=None,
        action=audit.Action.OTHER,
        object_type="accounts.user",
        object_repr=username,
        actor_label=username,
        changes={"locked_out": True},
    )
