"""Sign-in throttling. Every failed sign-in — a wrong password, a wrong second-factor code, a wrong password when
making an API token — counts against the user name and against the client address (anwei.core.context.client_ip,
the one the audit log records). ANWEI_LOGIN_FAILURE_LIMIT failures lock the user name, and
ANWEI_LOGIN_ADDRESS_FAILURE_LIMIT failures from one address lock that address (one guesser cannot lock a whole office
of accounts one after another), each for a cool-off of ANWEI_LOCKOUT_MINUTES that doubles with every lockout in a row
(at most ANWEI_LOCKOUT_MAX_HOURS): nobody, administrators included, is locked for good, and an attacker cannot keep
an account locked any cheaper than by guessing again. Attempts while locked are refused without counting. A full
sign-in (the second factor too, where it is asked) clears the user name's count; a quiet day clears a record.
Admins see the locks and may lift one (accounts.services.unlock, audited)."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from anwei.audit import services as audit
from anwei.core.context import client_ip

from .models import SignInThrottle

QUIET = timedelta(days=1)  # a record without failures for this long starts again from nothing
LOCKED_ATTR = "anwei_locked_until"


def _user_label(username: str) -> str:
    return str(username or "").strip().lower()[:150]


def _keys(request: HttpRequest | None, username: str) -> list[tuple[str, str]]:
    keys = [(SignInThrottle.Kind.USER.value, _user_label(username))]
    address = client_ip(request) if request is not None else None
    if address:
        keys.append((SignInThrottle.Kind.ADDRESS.value, address))
    return keys


def _limit(kind: str) -> int:
    if kind == SignInThrottle.Kind.USER:
        return int(settings.ANWEI_LOGIN_FAILURE_LIMIT)
    return int(settings.ANWEI_LOGIN_ADDRESS_FAILURE_LIMIT)


def cool_off(lockouts: int) -> timedelta:
    """The n-th lockout in a row lasts ANWEI_LOCKOUT_MINUTES × 2^(n-1), at most ANWEI_LOCKOUT_MAX_HOURS."""
    first = timedelta(minutes=settings.ANWEI_LOCKOUT_MINUTES)
    longest = timedelta(hours=settings.ANWEI_LOCKOUT_MAX_HOURS)
    return min(first * int(2 ** min(max(lockouts - 1, 0), 30)), longest)


def locked_until(request: HttpRequest | None, username: str) -> datetime | None:
    """When the user name, or the address the request comes from, may try again; None when it may now."""
    now = timezone.now()
    query = Q()
    for kind, label in _keys(request, username):
        query |= Q(kind=kind, label=label)
    ends = SignInThrottle.objects.filter(query, locked_until__gt=now).values_list("locked_until", flat=True)
    return max((end for end in ends if end is not None), default=None)


def is_locked(request: HttpRequest | None, username: str) -> bool:
    return locked_until(request, username) is not None


@transaction.atomic
def record_failure(request: HttpRequest | None, username: str) -> datetime | None:
    """Count a failed sign-in; returns the end of the lock it started or was already under (None: not locked)."""
    now = timezone.now()
    already = locked_until(request, username)
    if already is not None:
        return already  # refused without counting: trying while locked does not lengthen the lock
    until: datetime | None = None
    for kind, label in _keys(request, username):
        row, _created = SignInThrottle.objects.select_for_update().get_or_create(kind=kind, label=label)
        if row.last_failure_at and now - row.last_failure_at > QUIET:
            row.failures, row.lockouts = 0, 0
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= _limit(kind):
            row.lockouts += 1
            row.failures = 0
            row.locked_until = now + cool_off(row.lockouts)
            until = max(until or row.locked_until, row.locked_until)
            audit.record(
                actor=None,
                action=audit.Action.OTHER,
                object_type="accounts.user" if kind == SignInThrottle.Kind.USER else "accounts.address",
                object_repr=label,
                actor_label=_user_label(username),
                changes={"locked_out": True, "by": kind, "lockout": row.lockouts, "until": row.locked_until},
            )
        row.save()
    return until


def signed_in(username: str) -> None:
    """A full sign-in: the user name's failures and lockouts start again from nothing (the address's do not)."""
    SignInThrottle.objects.filter(kind=SignInThrottle.Kind.USER, label=_user_label(username)).update(
        failures=0, lockouts=0, locked_until=None
    )


def locks() -> QuerySet[SignInThrottle]:
    """User names and addresses locked now, the longest first."""
    return SignInThrottle.objects.filter(locked_until__gt=timezone.now()).order_by("-locked_until")


class ThrottleBackend(BaseBackend):
    """First in AUTHENTICATION_BACKENDS: while the user name or the address is locked no password is even checked
    (PermissionDenied stops Django's authenticate(), which reports a failed sign-in that is then not counted)."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, **kwargs: Any) -> None:
        until = locked_until(request, username or "")
        if until is not None:
            if request is not None:
                setattr(request, LOCKED_ATTR, until)
            raise PermissionDenied
        return None

    def get_user(self, user_id: Any) -> Any:
        """Sessions started through this backend (the first one: force_login in tests) load users as usual."""
        return ModelBackend().get_user(user_id)
