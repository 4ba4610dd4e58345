"""API tokens looked up by their SHA-256 in a per-process cache (issue 20): a filing's token costs no statement
beyond the request's one read of the cache generation (anwei.core.generation). The cache holds, per token hash, the
user with their person, unit and agency and their role assignments, loaded once; any change to a token (created,
revoked), a user, a person, a unit, an agency or a role assignment sets a new generation in its own transaction, so
every process drops the cache at its next request. Each request gets its own copy of the user (attributes set on
it by one request are not seen by the next)."""

import copy
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from anwei.core import generation
from anwei.directory.models import Agency, Person, Unit

from . import scope
from .models import ApiToken, RoleAssignment, User, hash_token

TOUCH_SECONDS = 300  # `last_used_at` is written at most this often per token


@dataclass
class _Entry:
    token_id: int
    user: User
    last_used_at: datetime | None


_cache = generation.Cache()
generation.watch(ApiToken, User, RoleAssignment, Person, Unit, Agency)


def _load(digest: str) -> _Entry | None:
    token = (
        ApiToken.objects.select_related("user__person__unit", "user__person__agency", "user__agency")
        .filter(token_hash=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    scope.assignments(token.user)  # the roles, kept with the user
    return _Entry(token.pk, token.user, token.last_used_at)


def user_for_token(raw: str) -> User | None:
    """The active user behind a raw token (a fresh copy per call), or None."""
    if not raw.startswith(ApiToken.PREFIX):
        return None
    digest = hash_token(raw)
    entry: _Entry | None = _cache.get(digest, lambda: _load(digest))
    if entry is None:
        return None
    now = timezone.now()
    if entry.last_used_at is None or (now - entry.last_used_at).total_seconds() > TOUCH_SECONDS:
        ApiToken.objects.filter(pk=entry.token_id).update(last_used_at=now)
        entry.last_used_at = now
    return copy.copy(entry.user)
