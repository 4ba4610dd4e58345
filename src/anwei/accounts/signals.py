"""Sign-in, sign-out and failed sign-in go on the audit log."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from anwei.audit import services as audit


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
    audit.record(
        actor=None,
        action=audit.Action.LOGIN_FAILED,
        object_type="accounts.user",
        object_repr=username,
        actor_label=username,
    )
